using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>CSV or GeoJSON of every case matching the list's filters (all pages, up to <see cref="MaxRows"/>) except restricted ones; audited.</summary>
[Authorize(Policy = Policies.Staff)]
public sealed class ExportModel(CivicDeskDb db, CaseList list, ConversationAccess access, AuditLog audit, TimeProvider clock) : PageModel
{
    public const int MaxRows = 100_000;

    public async Task<IActionResult> OnGetAsync(string format, CaseFilter filter, CancellationToken ct)
    {
        var viewer = await access.ViewerAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // A case under a restriction of processing (Article 18) is stored, not exported.
        var cases = list.Filtered(filter, viewer, now).Where(c => c.RestrictedBy == null);
        var rows = await list.Rows(CaseFilter.Sorted(cases, filter.Sort).Take(MaxRows)).ToListAsync(ct);
        var geo = format == "geojson";
        var body = geo ? CaseExport.GeoJson(rows) : CaseExport.Csv(rows);
        audit.Record("cases.exported", "Case", null, null, $"{format}: {rows.Count} case(s); filter {filter.ToQueryString()}");
        await db.SaveChangesAsync(ct);

        Response.Headers.CacheControl = "private, no-store";
        var name = $"cases-{now:yyyyMMdd-HHmm}";
        return geo
            ? File(body, "application/geo+json", name + ".geojson")
            : File(body, "text/csv; charset=utf-8", name + ".csv");
    }
}
