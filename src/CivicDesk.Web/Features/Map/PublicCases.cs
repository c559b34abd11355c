using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Map;

/// <summary>
/// A case as the public sees it: service, status, dates and a rounded location. Deliberately no title, description,
/// address, photos or anything about reporters: those are the citizen's words and may name people or homes.
/// </summary>
public sealed record PublicCase(string Reference, string ServiceCode, string ServiceName, CaseStatus Status, DateTime CreatedAt, DateTime UpdatedAt,
    double? Latitude, double? Longitude, string? MergedIntoReference);

public sealed record PublicUpdate(DateTime At, string? Text, CaseStatus? Status);

public sealed record PublicService(string Code, string Name);

/// <summary>
/// Public reads of cases. Filters by the public organisation explicitly (a signed-in member of another organisation
/// may be browsing) and never returns non-public cases.
/// </summary>
public sealed class PublicCases(CivicDeskDb db, IOptions<MapOptions> options)
{
    public async Task<IReadOnlyList<PublicService>> ServicesAsync(long organisationId, CancellationToken ct) =>
        await db.CaseServices.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.OrganisationId == organisationId && s.IsActive && !(s.Keywords != null && s.Keywords.Contains("private")))
            .OrderBy(s => s.Name).Select(s => new PublicService(s.Code, s.Name)).ToListAsync(ct);

    /// <summary>Open cases, newest first, optionally of one service.</summary>
    public async Task<IReadOnlyList<PublicCase>> OpenAsync(long organisationId, string? service, CancellationToken ct)
    {
        var open = CaseWorkflowQueries.OpenStatuses.ToList();
        var q = Cases(organisationId).Where(c => open.Contains(c.Status));
        if (!string.IsNullOrEmpty(service))
        {
            q = q.Where(c => c.ServiceCode == service);
        }

        var rows = await Project(organisationId, q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(options.Value.MaxPublicCases)).ToListAsync(ct);
        return rows.Select(Round).ToList();
    }

    public async Task<PublicCase?> FindAsync(long organisationId, string reference, CancellationToken ct)
    {
        var row = await Project(organisationId, Cases(organisationId).Where(c => c.Reference == reference)).SingleOrDefaultAsync(ct);
        return row is null ? null : Round(row);
    }

    /// <summary>Public updates (staff-written) and status changes, oldest first.</summary>
    public async Task<IReadOnlyList<PublicUpdate>> UpdatesAsync(long organisationId, string reference, CancellationToken ct) =>
        await db.CaseUpdates.IgnoreQueryFilters().AsNoTracking()
            .Where(u => u.OrganisationId == organisationId && (u.IsPublic || u.Kind == CaseUpdateKind.StatusChange)
                        && db.Cases.IgnoreQueryFilters().Any(c => c.Id == u.CaseId && c.Reference == reference && c.OrganisationId == organisationId))
            .OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            // An internal status change is shown as the change alone, without its internal text.
            .Select(u => new PublicUpdate(u.CreatedAt, u.IsPublic ? u.Text : null, u.StatusAfter))
            .ToListAsync(ct);

    private IQueryable<Case> Cases(long organisationId) =>
        db.Cases.IgnoreQueryFilters().AsNoTracking().Where(c => c.OrganisationId == organisationId && !c.NonPublic && c.RestrictedBy == null);

    private IQueryable<PublicCase> Project(long organisationId, IQueryable<Case> q) =>
        q.Select(c => new PublicCase(c.Reference, c.ServiceCode,
            db.CaseServices.IgnoreQueryFilters().Where(s => s.OrganisationId == organisationId && s.Code == c.ServiceCode).Select(s => s.Name).FirstOrDefault() ?? c.ServiceCode,
            c.Status, c.CreatedAt, c.UpdatedAt, c.Latitude, c.Longitude,
            db.Cases.IgnoreQueryFilters().Where(m => m.Id == c.MergedIntoCaseId).Select(m => m.Reference).FirstOrDefault()));

    private PublicCase Round(PublicCase c)
    {
        var d = options.Value.PublicLocationDecimals;
        return c with
        {
            Latitude = c.Latitude is { } lat ? Math.Round(lat, d) : null,
            Longitude = c.Longitude is { } lon ? Math.Round(lon, d) : null,
        };
    }
}
