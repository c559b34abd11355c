using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards.Audience;

/// <summary>
/// Audience and reach per connected account: followers over time, the latest figures with the day they were read (and
/// any read error), and the reactions to each published post. Organisation-wide roles see every account; others see
/// the accounts the register gives to their teams (<see cref="AudienceDashboard"/>). Comms and admins can read the
/// accounts now instead of waiting for the daily job.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class AudienceModel(AudienceDashboard dashboard, AudienceCollector collector, ConversationAccess access, OrganisationContext organisation,
    CivicDeskDb db, TimeProvider time) : PageModel
{
    public const int DefaultDays = 90;

    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PostPage { get; set; } = 1;

    public AudienceView View { get; private set; } = null!;
    public string Zone { get; private set; } = "Europe/London";
    public bool SeesAll { get; private set; }
    public bool CanCollect => User.IsInRole(Roles.Comms) || User.IsInRole(Roles.Admin);
    [TempData] public string? Notice { get; set; }
    [TempData] public string? NoticeErrors { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var viewer = await access.ViewerAsync(ct);
        var scope = DashboardScopes.For(viewer);
        SeesAll = scope.TeamIds is null;
        Zone = await db.Organisations.AsNoTracking().Where(o => o.Id == organisation.OrganisationId).Select(o => o.TimeZoneId).SingleAsync(ct);
        // The same local day the job files its reads under.
        var today = DateOnly.FromDateTime(LocalTime.ToLocal(time.GetUtcNow().UtcDateTime, Zone));
        // A malformed or reversed range falls back to the default rather than failing the page.
        // By default the last 90 days, starting no earlier than the first read, so a new installation's chart is not mostly gaps.
        var from = From;
        if (from is null)
        {
            from = (To ?? today).AddDays(-(DefaultDays - 1));
            if (await dashboard.FirstReadDayAsync(scope, ct) is { } first && first > from && first <= (To ?? today))
            {
                from = first;
            }
        }

        var filter = new DashboardFilter { From = from, To = To };
        var (start, end) = filter.Period(today);
        View = await dashboard.BuildAsync(start, end, scope, PostPage, ct);
    }

    public async Task<IActionResult> OnPostCollectAsync(CancellationToken ct)
    {
        if (!CanCollect)
        {
            return Forbid();
        }

        var org = organisation.OrganisationId ?? throw new InvalidOperationException("No organisation for the signed-in member.");
        // Bounded: a slow network must not hold the request for ever; an account cut off stores nothing and is read by the next run.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(2));
        AudienceRunResult result;
        try
        {
            result = await collector.RunAsync(org, force: true, limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Notice = "Reading the accounts took longer than two minutes and was stopped; the daily job will finish it.";
            return RedirectToPage();
        }

        Notice = result.Accounts == 0
            ? "There are no connected Bluesky, Mastodon, X or Facebook accounts to read."
            : $"Read {result.Read} of {result.Accounts} account(s) and {result.Posts} post(s)" +
              (result.NotDue > 0 ? $"; {result.NotDue} being read by another run already" : "") +
              (result.Failed > 0 ? $"; {result.Failed} could not be read." : ".");
        NoticeErrors = result.Errors.Count > 0 ? string.Join("\n", result.Errors) : null;
        return RedirectToPage();
    }
}
