using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// /dashboards/reports/{yyyy-MM}?team=…: the monthly report as a printable page, CSV (?handler=Csv) or workbook
/// (?handler=Xlsx). Scoped exactly as the dashboards: the organisation's report only for those who see everything;
/// a team's for members of that team (or those who see everything); anything else is not found.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class ReportModel(MonthlyReportBuilder builder, ConversationAccess access, CivicDeskDb db, SlaClock sla, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Month { get; set; } = "";
    [BindProperty(SupportsGet = true)] public long? Team { get; set; }

    public MonthlyReport Report { get; private set; } = null!;
    public bool MonthIsOver { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await WithReportAsync(() => Page(), ct);

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct) =>
        await WithReportAsync(() => File(ReportExport.ToCsv(Report), "text/csv; charset=utf-8", Report.Slug + ".csv"), ct);

    public async Task<IActionResult> OnGetXlsxAsync(CancellationToken ct) =>
        await WithReportAsync(() => File(ReportExport.ToXlsx(Report), ReportExport.XlsxContentType, Report.Slug + ".xlsx"), ct);

    public string DownloadUrl(string handler) => $"/dashboards/reports/{Report.Month:yyyy-MM}?handler={handler}" + (Report.TeamId is { } t ? $"&team={t}" : "");

    private async Task<IActionResult> WithReportAsync(Func<IActionResult> result, CancellationToken ct)
    {
        if (!DateOnly.TryParseExact(Month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) || month.Year < 2000)
        {
            return NotFound();
        }

        var today = AggregateTime.LocalDay(time.GetUtcNow().UtcDateTime, (await sla.CalendarAsync(ct)).Zone);
        if (month > today)
        {
            return NotFound();
        }

        var scope = DashboardScopes.For(await access.ViewerAsync(ct));
        if (Team is { } team)
        {
            if (!scope.Allows(team) || !await db.Teams.AnyAsync(t => t.Id == team, ct))
            {
                return NotFound();
            }
        }
        else if (scope.TeamIds is not null)
        {
            // Agents and team leads have no organisation report: their first team's instead.
            var first = await db.Teams.AsNoTracking().Where(t => scope.TeamIds.Contains(t.Id)).OrderBy(t => t.Name).Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
            return first is { } id ? Redirect($"/dashboards/reports/{Month}?team={id}") : NotFound();
        }

        MonthIsOver = month.AddMonths(1) <= today;
        Report = await builder.BuildAsync(month, Team, ct);
        return result();
    }
}
