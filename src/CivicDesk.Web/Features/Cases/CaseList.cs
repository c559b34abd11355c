using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

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

/// <summary>
/// One page of the case list: its rows, the count up to <see cref="CaseFilter.CountCap"/> + 1 (more means "more than
/// 1,000") and whether another page follows.
/// </summary>
public sealed record CasePage(IReadOnlyList<CaseRow> Rows, int Total, bool HasNext)
{
    public bool TotalCapped => Total > CaseFilter.CountCap;
}

/// <summary>The cases a viewer may see, filtered: shared by the list page and both exports.</summary>
public sealed class CaseList(CivicDeskDb db)
{
    public IQueryable<Case> Filtered(CaseFilter filter, StaffViewer viewer, DateTime now)
    {
        var cases = filter.Apply(CaseAccess.Visible(db.Cases, viewer), now, viewer.StaffId);
        return filter.Text is { } text ? cases.Matching(db, text) : cases;
    }

    /// <summary>
    /// The list page's database work (also what <c>bench inbox</c> times for case search): the capped count, then page
    /// <see cref="CaseFilter.Page"/> plus one row to know whether another follows. A text search with more matches than
    /// the cap reads its page along the sort's indexes (<see cref="CaseFilter.SortedRuns"/>, checking each case against
    /// the matches: <see cref="CaseSearch.MatchingInIndexOrder"/>) instead of looking up and sorting every match.
    /// Team scoping is <see cref="CaseAccess.Visible"/> on both, so the count and the rows are the viewer's exactly.
    /// </summary>
    public async Task<CasePage> PageAsync(CaseFilter filter, StaffViewer viewer, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var filtered = Filtered(filter, viewer, now);
        var total = await filtered.Take(CaseFilter.CountCap + 1).CountAsync(ct);
        if (total <= CaseFilter.CountCap)
        {
            // Past the last page shows the last page; past a capped count the page may be empty (the page says so).
            filter.Page = Math.Min(filter.Page, Math.Max(1, (total + CaseFilter.PageSize - 1) / CaseFilter.PageSize));
        }

        var skip = (filter.Page - 1) * CaseFilter.PageSize;
        var rows = total > CaseFilter.CountCap && filter.Text is { } text
            ? await RunsPageAsync(CaseFilter.SortedRuns(filter.Apply(CaseAccess.Visible(db.Cases, viewer), now, viewer.StaffId).MatchingInIndexOrder(db, text), filter.Sort),
                skip, CaseFilter.PageSize + 1, ct)
            : await Rows(CaseFilter.Sorted(filtered, filter.Sort).Skip(skip).Take(CaseFilter.PageSize + 1)).ToListAsync(ct);
        var hasNext = rows.Count > CaseFilter.PageSize;
        return new CasePage(hasNext ? rows[..CaseFilter.PageSize] : rows, total, hasNext);
    }

    /// <summary>
    /// Rows <paramref name="skip"/> to <paramref name="skip"/> + <paramref name="take"/> of <paramref name="runs"/> read
    /// one after another: usually one statement, as the first run holds the page. A run that ends before the page
    /// starts is counted (up to <paramref name="skip"/>, along its index) to know how far into the next one the page
    /// starts; a run that holds part of the page is read from there.
    /// </summary>
    private async Task<List<CaseRow>> RunsPageAsync(IReadOnlyList<IQueryable<Case>> runs, int skip, int take, CancellationToken ct)
    {
        var rows = new List<CaseRow>(take);
        foreach (var run in runs)
        {
            var read = await Rows(run.Skip(skip).Take(take - rows.Count)).ToListAsync(ct);
            if (read.Count == 0 && skip > 0)
            {
                // The page starts past this run, which has at most skip cases: those come off the offset.
                skip -= await run.Take(skip).CountAsync(ct);
                continue;
            }

            rows.AddRange(read);
            skip = 0;
            if (rows.Count == take)
            {
                break;
            }
        }

        return rows;
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
