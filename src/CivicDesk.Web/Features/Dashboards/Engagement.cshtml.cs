using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// Monthly Engagement Index for the organisation and each account (when the viewer sees it all) and for each team in
/// the viewer's scope; for those who see the whole organisation, how it compares: percentiles among opted-in
/// organisations on this instance (admins opt in or out) and peers' signed files (analysts and admins export and import).
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class EngagementModel(EngagementIndex index, EngagementBenchmark benchmark, EngagementExchange exchange, ConversationAccess access, CivicDeskDb db,
    SlaClock sla, TimeProvider time) : PageModel
{
    public const int Months = 12;

    public IReadOnlyList<IReadOnlyList<MonthlyIndex>> Scopes { get; private set; } = [];
    /// <summary>The organisation's own months, when the viewer sees the whole organisation.</summary>
    public IReadOnlyList<MonthlyIndex>? Organisation { get; private set; }
    public BenchmarkOptIn? OptIn { get; private set; }
    public IReadOnlyList<BenchmarkMonth> Ranks { get; private set; } = [];
    public EngagementSigningKey? Key { get; private set; }
    public IReadOnlyList<EngagementPeer> Peers { get; private set; } = [];
    public string? Notice { get; private set; }
    public string? ImportError { get; private set; }

    public bool SeesOrganisation => Organisation is not null;
    public bool CanOptIn => User.IsInRole(Roles.Admin);
    public bool CanExchange => User.IsInRole(Roles.Admin) || User.IsInRole(Roles.Analyst);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostOptInAsync(CancellationToken ct)
    {
        if (!CanOptIn)
        {
            return Forbid();
        }

        await LoadAsync(ct, storeSnapshot: false);
        await benchmark.OptInAsync(User.StaffId(), User.DisplayNameOf(), Organisation!, ct);
        Notice = "Your organisation now takes part in benchmarking on this instance.";
        await LoadAsync(ct, storeSnapshot: false);
        return Page();
    }

    public async Task<IActionResult> OnPostOptOutAsync(CancellationToken ct)
    {
        if (!CanOptIn)
        {
            return Forbid();
        }

        await benchmark.OptOutAsync(ct);
        Notice = "Your organisation no longer takes part in benchmarking; its scores were removed from other organisations' views.";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostExportAsync(CancellationToken ct)
    {
        if (!CanExchange)
        {
            return Forbid();
        }

        await LoadAsync(ct);
        if (Organisation is null)
        {
            return Forbid();
        }

        var zone = (await sla.CalendarAsync(ct)).Zone;
        var bytes = await exchange.ExportAsync(Organisation, zone.Id, ct);
        var slug = await db.Organisations.Where(o => o.Id == db.CurrentOrganisationId).Select(o => o.Slug).SingleAsync(ct);
        return File(bytes, "application/json", $"engagement-index-{slug}-{Organisation[^1].Month:yyyy-MM}.json");
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken ct)
    {
        if (!CanExchange)
        {
            return Forbid();
        }

        if (file is null || file.Length == 0)
        {
            ImportError = "Choose a file to import.";
        }
        else if (file.Length > EngagementExchange.MaxBytes)
        {
            ImportError = $"The file is larger than {EngagementExchange.MaxBytes / 1024 / 1024} MB; an export of 12 months is a few kilobytes, so this is not one.";
        }
        else
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            var outcome = await exchange.ImportAsync(buffer.ToArray(), User.StaffId(), User.DisplayNameOf(), ct);
            if (outcome.Ok)
            {
                Notice = $"{outcome.Peer!.Name}'s index was {(outcome.Replaced ? "updated: the older file from the same key was replaced" : "imported")}. Fingerprint {EngagementExchange.Readable(outcome.Peer.Fingerprint)}.";
            }
            else
            {
                ImportError = outcome.Error;
            }
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRemovePeerAsync(long peer, CancellationToken ct)
    {
        if (!CanExchange)
        {
            return Forbid();
        }

        Notice = await exchange.RemovePeerAsync(peer, ct) ? "The peer's imported scores were removed." : null;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct, bool storeSnapshot = true)
    {
        var scope = DashboardScopes.For(await access.ViewerAsync(ct));
        var zone = (await sla.CalendarAsync(ct)).Zone;
        var thisMonth = AggregateTime.LocalDay(time.GetUtcNow().UtcDateTime, zone);
        var scopes = new List<IndexScope>();
        if (scope.TeamIds is null)
        {
            scopes.Add(IndexScope.Organisation);
        }

        foreach (var team in await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct))
        {
            if (scope.Allows(team.Id))
            {
                scopes.Add(IndexScope.ForTeam(team.Id, team.Name));
            }
        }

        // Accounts carry every team's conversations, so only those who see the whole organisation see them.
        if (scope.TeamIds is null)
        {
            foreach (var channel in (await db.Channels.AsNoTracking().Where(c => c.Kind != ChannelKind.Rss).Select(c => new { c.Id, c.Name, c.Kind, c.Account }).ToListAsync(ct))
                .OrderBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase))
            {
                scopes.Add(IndexScope.ForAccount(channel.Id, AccountName(channel.Name, channel.Kind, channel.Account)));
            }
        }

        Scopes = await index.MonthsAsync(thisMonth, Months, scopes, ct);
        if (scope.TeamIds is not null)
        {
            return;
        }

        // Comparisons are of the whole organisation, so only for those who see it.
        Organisation = Scopes[0];
        if (storeSnapshot)
        {
            await benchmark.RefreshAsync(Organisation, ct);
        }

        OptIn = await benchmark.OptInAsync(ct);
        Ranks = await benchmark.RanksAsync(Organisation, ct);
        Key = await db.EngagementSigningKeys.AsNoTracking().SingleOrDefaultAsync(ct);
        Peers = await exchange.PeersAsync(ct);
    }

    /// <summary>"Account: Roads (Mastodon, @roads@example.social)".</summary>
    public static string AccountName(string name, ChannelKind kind, string? account) =>
        $"Account: {name} ({InboxText.Channel(kind)}{(string.IsNullOrWhiteSpace(account) ? "" : ", " + account)})";

    public static ChartModel Trend(IReadOnlyList<MonthlyIndex> months, int n) => new()
    {
        Id = $"index-{n}",
        Title = $"{months[0].Scope}: Engagement Index by month",
        Description = "Score 0–100; a gap is a month with too little measured to publish a score.",
        TimeUnit = "month", LabelHeading = "Month", ValueHeading = "Score", Decimals = 1,
        Labels = months.Select(m => m.Month.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Series =
        [
            new ChartSeries("Engagement Index", months.Select(m => m.Score).ToList()),
            .. EngagementIndex.Components.Select((c, i) => new ChartSeries(c.Name, months.Select(m => m.Components[i].Score).ToList(), SeriesStyle.Dotted))
                .Where(s => s.Values.Any(v => v is not null)),
        ],
    };

    /// <summary>The organisation's score beside each imported peer's, month by month.</summary>
    public static ChartModel PeerChart(IReadOnlyList<MonthlyIndex> own, IReadOnlyList<EngagementPeer> peers) => new()
    {
        Id = "peers",
        Title = "Engagement Index beside imported peers",
        Description = "Monthly scores 0–100: your organisation and each peer whose signed file you imported (as the peer computed them).",
        TimeUnit = "month", LabelHeading = "Month", ValueHeading = "Score", Decimals = 1,
        Labels = own.Select(m => m.Month.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Series =
        [
            new ChartSeries("Your organisation", own.Select(m => m.Score).ToList()),
            .. peers.Select(p => new ChartSeries(p.Name, own.Select(m => p.Months.FirstOrDefault(x => x.Month == m.Month)?.Score).ToList(), SeriesStyle.Dashed)),
        ],
    };
}
