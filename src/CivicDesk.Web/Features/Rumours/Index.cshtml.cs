using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Rumours;

[Authorize(Policy = Policies.Comms)]
public sealed class IndexModel(CivicDeskDb db, RumourCommands commands) : FormPage
{
    public sealed record Row(long Id, string Statement, RumourStatus Status, DateTime FirstSeenAt, int Sightings, DateTime? LastSighting, bool Published);

    public IReadOnlyList<Row> Claims { get; private set; } = [];
    public string Zone { get; private set; } = "Europe/London";

    [BindProperty] public string? Statement { get; set; }
    [BindProperty] public DateTime? FirstSeen { get; set; }
    [BindProperty] public string? Notes { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        // The form's date and time are the organisation's local time.
        DateTime? firstSeenUtc = FirstSeen is { } local
            ? TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified),
                TimeZoneInfo.TryFindSystemTimeZoneById(Zone, out var zone) ? zone : TimeZoneInfo.Utc)
            : null;
        var outcome = await commands.CreateAsync(Statement, firstSeenUtc, Notes, ct);
        if (!outcome.Succeeded)
        {
            Errors = outcome.Errors;
            return Page();
        }

        Notice = "Claim added. Attach sightings as they come in";
        return Redirect($"/comms/rumours/{outcome.Id}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await db.Organisations.Where(o => o.Id == db.CurrentOrganisationId).Select(o => o.TimeZoneId).SingleAsync(ct);
        Claims = await db.RumourClaims.AsNoTracking()
            .OrderByDescending(c => c.UpdatedAt)
            .Select(c => new Row(c.Id, c.Statement, c.Status, c.FirstSeenAt,
                db.RumourSightings.Count(s => s.ClaimId == c.Id && s.State == SightingState.Attached),
                db.RumourSightings.Where(s => s.ClaimId == c.Id && s.State == SightingState.Attached).Max(s => (DateTime?)s.SeenAt),
                c.VerdictPublishedAt != null))
            .Take(200).ToListAsync(ct);
    }
}
