using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Cases;

/// <summary>One row of the case list and of the exports. No reporter details: those are on the case page only.</summary>
public sealed record CaseRow(
    long Id,
    string Reference,
    string Title,
    string ServiceCode,
    string? ServiceName,
    CaseStatus Status,
    Priority Priority,
    string? TeamName,
    string? AssignedStaffName,
    CaseSource Source,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DueAt,
    DateTime? ExpectedBy,
    DateTime? ClosedAt,
    double? Latitude,
    double? Longitude,
    string? MergedIntoReference);

/// <summary>The cases a viewer may see, filtered: shared by the list page and both exports.</summary>
public sealed class CaseList(CivicDeskDb db)
{
    public IQueryable<Case> Filtered(CaseFilter filter, StaffViewer viewer, DateTime now)
    {
        var cases = filter.Apply(CaseAccess.Visible(db.Cases, viewer), now, viewer.StaffId);
        return filter.Text is { } text ? cases.Matching(db, text) : cases;
    }

    public IQueryable<CaseRow> Rows(IQueryable<Case> cases) =>
        cases.Select(c => new CaseRow(
            c.Id, c.Reference, c.Title, c.ServiceCode,
            db.CaseServices.Where(s => s.Code == c.ServiceCode).Select(s => s.Name).FirstOrDefault(),
            c.Status, c.Priority,
            db.Teams.Where(t => t.Id == c.TeamId).Select(t => t.Name).FirstOrDefault(),
            db.Users.Where(u => u.Id == c.AssignedStaffId).Select(u => u.DisplayName).FirstOrDefault(),
            c.Source, c.CreatedAt, c.UpdatedAt, c.DueAt, c.ExpectedBy, c.ClosedAt, c.Latitude, c.Longitude,
            db.Cases.Where(m => m.Id == c.MergedIntoCaseId).Select(m => m.Reference).FirstOrDefault()));
}
