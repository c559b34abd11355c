using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

public sealed record Choice(string Value, string Label);

/// <summary>The case list: MOJ "filter a list" with a sortable, paginated table, and exports of the same filter.</summary>
[Authorize(Policy = Policies.Staff)]
public sealed class IndexModel(CivicDeskDb db, CaseList list, ConversationAccess access, TimeProvider clock) : PageModel
{
    public CaseFilter Filter { get; private set; } = new();
    public StaffViewer Viewer { get; private set; } = null!;
    public IReadOnlyList<CaseRow> Rows { get; private set; } = [];
    /// <summary>Up to <see cref="CaseFilter.CountCap"/> + 1: more means "more than 1,000".</summary>
    public int Total { get; private set; }
    public bool TotalCapped => Total > CaseFilter.CountCap;
    public bool HasNext { get; private set; }
    /// <summary>The last page known: the count's when exact; past the cap, the cap's (21 pages of 50 hold 1,001 cases) or the next one.</summary>
    public int PageCount => Math.Max(Math.Max(1, (Total + CaseFilter.PageSize - 1) / CaseFilter.PageSize), TotalCapped && HasNext ? Filter.Page + 1 : 0);
    public IReadOnlyList<Choice> Services { get; private set; } = [];
    public IReadOnlyList<Choice> Teams { get; private set; } = [];
    public IReadOnlyList<Choice> People { get; private set; } = [];
    public DateTime Now { get; private set; }
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task<IActionResult> OnGetAsync(CaseFilter filter, CancellationToken ct)
    {
        Filter = filter;
        Filter.Page = Math.Max(1, Filter.Page);
        Viewer = await access.ViewerAsync(ct);
        Now = clock.GetUtcNow().UtcDateTime;
        Zone = InboxText.Zone(await db.Organisations.Select(o => o.TimeZoneId).FirstOrDefaultAsync(ct));

        var page = await list.PageAsync(Filter, Viewer, Now, ct);
        (Rows, Total, HasNext) = (page.Rows, page.Total, page.HasNext);

        Services = await db.CaseServices.AsNoTracking().OrderBy(s => s.Name).Select(s => new Choice(s.Code, s.Name)).ToListAsync(ct);
        Teams = (await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct))
            .Select(t => new Choice(t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Name)).ToList();
        People = await db.Users.AsNoTracking().Where(u => u.IsActive).OrderBy(u => u.DisplayName).Select(u => new Choice(u.Id, u.DisplayName)).ToListAsync(ct);
        return Page();
    }

    public string When(DateTime utc) => InboxText.When(utc, Zone);

    public bool IsOverdue(CaseRow r) => r.DueAt is { } due && due < Now && r.Status.IsOpen();
}
