using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Incidents;

[Authorize(Policy = Policies.Comms)]
public sealed class IndexModel(CivicDeskDb db) : FormPage
{
    public sealed record Row(long Id, string Title, IncidentSeverity Severity, IncidentStatus Status, DateTime DeclaredAt, DateTime? StoodDownAt, int Updates);

    public IReadOnlyList<Row> Incidents { get; private set; } = [];
    public string Zone { get; private set; } = "Europe/London";

    public async Task OnGetAsync(CancellationToken ct)
    {
        Zone = await db.Organisations.Where(o => o.Id == db.CurrentOrganisationId).Select(o => o.TimeZoneId).SingleAsync(ct);
        Incidents = await db.Incidents.AsNoTracking()
            .OrderBy(i => i.Status).ThenByDescending(i => i.DeclaredAt)
            .Select(i => new Row(i.Id, i.Title, i.Severity, i.Status, i.DeclaredAt, i.StoodDownAt, db.IncidentUpdates.Count(u => u.IncidentId == i.Id)))
            .Take(200).ToListAsync(ct);
    }
}
