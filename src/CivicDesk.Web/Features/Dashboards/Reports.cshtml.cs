using System.Globalization;
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
/// /dashboards/reports: choose a month and a scope (the organisation for those who see everything, else one of the
/// viewer's teams) and open the report; analysts and admins choose the channel-shift analysis the organisation's
/// report shows.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class ReportsModel(ConversationAccess access, CivicDeskDb db, SlaClock sla, TimeProvider time, ReportSchedules schedules) : PageModel
{
    public const int MonthsOffered = 24;

    public IReadOnlyList<DateOnly> Months { get; private set; } = [];
    public DateOnly DefaultMonth { get; private set; }
    public IReadOnlyList<(long Id, string Name)> Teams { get; private set; } = [];
    public bool SeesOrganisation { get; private set; }
    public bool CanConfigure => User.IsInRole(Roles.Analyst) || User.IsInRole(Roles.Admin);
    public ReportSettings? Settings { get; private set; }
    public IReadOnlyList<string> Services { get; private set; } = [];
    public string? Notice { get; private set; }
    public Dictionary<string, string> Errors { get; } = [];
    public IReadOnlyList<ScheduleRow> Schedules { get; private set; } = [];
    public IReadOnlyList<(string Id, string Name)> Staff { get; private set; } = [];
    public IReadOnlyList<string> ChosenStaff { get; private set; } = [];
    public string? EnteredEmails { get; private set; }
    public string? EnteredScope { get; private set; }
    public int? EnteredDay { get; private set; }

    /// <summary>Scheduled email: admins and analysts (who see the whole organisation).</summary>
    public bool CanSchedule => User.IsInRole(Roles.Admin) || User.IsInRole(Roles.Analyst);

    public async Task<IActionResult> OnPostScheduleAsync(string? scope, int? day, string[]? staff, string? emails, CancellationToken ct)
    {
        if (!CanSchedule)
        {
            return Forbid();
        }

        var (id, errors) = await schedules.CreateAsync(HttpContext.RequestServices, scope, day, staff, emails, User.StaffId(), ct);
        foreach (var (key, message) in errors)
        {
            Errors[key] = message;
        }

        if (id is not null)
        {
            Notice = "The report will be emailed each month.";
        }
        else
        {
            (EnteredScope, EnteredDay, ChosenStaff, EnteredEmails) = (scope, day, staff ?? [], emails);
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteScheduleAsync(long id, CancellationToken ct)
    {
        if (!CanSchedule)
        {
            return Forbid();
        }

        if (!await schedules.DeleteAsync(id, ct))
        {
            return NotFound();
        }

        Notice = "The schedule was deleted.";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnGetAsync(string? month, long? team, CancellationToken ct)
    {
        await LoadAsync(ct);
        if (month is null)
        {
            return Page();
        }

        if (!Months.Any(m => m.ToString("yyyy-MM", CultureInfo.InvariantCulture) == month))
        {
            Errors["month"] = "Choose a month from the list";
            return Page();
        }

        if (team is { } t && Teams.All(x => x.Id != t))
        {
            Errors["team"] = "Choose one of the listed scopes";
            return Page();
        }

        return Redirect($"/dashboards/reports/{month}" + (team is { } id ? $"?team={id}" : ""));
    }

    public async Task<IActionResult> OnPostChannelShiftAsync(string? service, DateOnly? intervention, bool clear, CancellationToken ct)
    {
        if (!CanConfigure)
        {
            return Forbid();
        }

        var org = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request.");
        service = service?.Trim();
        if (!clear)
        {
            if (string.IsNullOrEmpty(service))
            {
                Errors["service"] = "Choose the service whose calls the report analyses";
            }
            else if (service.Length > ContactCentreDemand.MaxServiceLength)
            {
                Errors["service"] = $"The service name must be {ContactCentreDemand.MaxServiceLength} characters or fewer";
            }

            if (intervention is null)
            {
                Errors["intervention"] = "Enter the date of the intervention, for example 12/01/2026";
            }
        }

        if (Errors.Count == 0)
        {
            var row = await db.ReportSettings.FirstOrDefaultAsync(ct);
            if (row is null)
            {
                row = new ReportSettings { OrganisationId = org };
                db.ReportSettings.Add(row);
            }

            (row.ChannelShiftService, row.ChannelShiftIntervention, row.UpdatedAt) = clear ? (null, null, time.GetUtcNow().UtcDateTime) : (service, intervention, time.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(ct);
            Notice = clear ? "Monthly reports will show no channel-shift analysis." : $"Monthly reports will analyse calls about {service} from {intervention!.Value.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"))}.";
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var scope = DashboardScopes.For(await access.ViewerAsync(ct));
        SeesOrganisation = scope.TeamIds is null;
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        Teams = teams.Where(t => scope.Allows(t.Id)).Select(t => (t.Id, t.Name)).ToList();
        var today = AggregateTime.LocalDay(time.GetUtcNow().UtcDateTime, (await sla.CalendarAsync(ct)).Zone);
        var thisMonth = new DateOnly(today.Year, today.Month, 1);
        Months = Enumerable.Range(0, MonthsOffered).Select(i => thisMonth.AddMonths(-i)).ToList();
        DefaultMonth = thisMonth.AddMonths(-1);
        Settings = await db.ReportSettings.AsNoTracking().FirstOrDefaultAsync(ct);
        if (CanSchedule)
        {
            Schedules = await schedules.ListAsync(ct);
            Staff = (await db.Users.AsNoTracking().Where(u => u.IsActive).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct))
                .OrderBy(u => u.DisplayName, StringComparer.OrdinalIgnoreCase).Select(u => (u.Id, u.DisplayName)).ToList();
        }
        if (CanConfigure)
        {
            Services = (await db.ContactCentreDemand.AsNoTracking().Select(d => d.Service).Distinct().ToListAsync(ct)).Order(StringComparer.OrdinalIgnoreCase).ToList();
        }
    }
}
