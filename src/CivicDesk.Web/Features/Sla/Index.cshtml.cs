using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Sla;

/// <summary>
/// Service targets: the organisation's working calendar (admins) and SLA policies (admins for every team and the
/// organisation default; team leads for their own teams). Every change is audited.
/// </summary>
[Authorize(Policy = Policies.TeamLead)]
public sealed class IndexModel(CivicDeskDb db, ConversationAccess access, BusinessCalendars calendars, AuditLog audit, TimeProvider clock) : PageModel
{
    public sealed record Row(SlaPolicy Policy, string TeamName, bool CanManage);

    public Organisation Organisation { get; private set; } = null!;
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public IReadOnlyList<BankHoliday> NextHolidays { get; private set; } = [];
    public bool IsAdmin { get; private set; }

    [BindProperty] public PolicyInput Policy { get; set; } = new();
    [BindProperty] public CalendarInput Calendar { get; set; } = new();
    [TempData] public string? Notice { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Calendar = new CalendarInput { WorkingHours = Organisation.WorkingHours, HolidayCalendar = Organisation.HolidayCalendar };
    }

    public async Task<IActionResult> OnPostPolicyAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Calendar = new CalendarInput { WorkingHours = Organisation.WorkingHours, HolidayCalendar = Organisation.HolidayCalendar };
        OnlyValidate("Policy.");
        if (!MayManage(Policy.TeamId))
        {
            ModelState.AddModelError("Policy.TeamId", IsAdmin ? "Choose a team" : "Choose one of your own teams");
        }

        var code = string.IsNullOrWhiteSpace(Policy.ServiceCode) ? null : Policy.ServiceCode.Trim();
        if (Rows.Any(r => r.Policy.TeamId == Policy.TeamId && string.Equals(r.Policy.ServiceCode, code, StringComparison.OrdinalIgnoreCase) && r.Policy.Priority == Policy.Priority))
        {
            ModelState.AddModelError("Policy.TeamId", "There is already a target for this team, service and priority. Delete it first to change it");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var policy = new SlaPolicy
        {
            OrganisationId = Organisation.Id, TeamId = Policy.TeamId, ServiceCode = code, Priority = Policy.Priority,
            FirstResponseHours = Policy.FirstResponseHours!.Value, ResolutionHours = Policy.ResolutionHours!.Value, UpdatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.SlaPolicies.Add(policy);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record("sla-policy.created", nameof(SlaPolicy), policy.Id, null, Snapshot(policy));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Notice = "Target added.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        await LoadAsync(ct);
        var policy = await db.SlaPolicies.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (policy is null || !MayManage(policy.TeamId))
        {
            return NotFound();
        }

        audit.Record("sla-policy.deleted", nameof(SlaPolicy), policy.Id, Snapshot(policy), null);
        db.SlaPolicies.Remove(policy);
        await db.SaveChangesAsync(ct);
        Notice = "Target deleted.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostCalendarAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (!IsAdmin)
        {
            return Forbid();
        }

        OnlyValidate("Calendar.");

        var week = WorkingWeek.TryParse(Calendar.WorkingHours, out var error);
        if (week is null)
        {
            ModelState.AddModelError("Calendar.WorkingHours", error!);
        }

        if (Calendar.HolidayCalendar is not (BankHolidays.EnglandAndWales or BankHolidays.Scotland or BankHolidays.NorthernIreland or BankHolidays.None))
        {
            ModelState.AddModelError("Calendar.HolidayCalendar", "Choose which bank holidays the office closes for");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var organisation = await db.Organisations.SingleAsync(o => o.Id == Organisation.Id, ct);
        var before = new { organisation.WorkingHours, organisation.HolidayCalendar };
        organisation.WorkingHours = week!.ToString();
        organisation.HolidayCalendar = Calendar.HolidayCalendar!;
        audit.Record("organisation.calendar-updated", nameof(Organisation), organisation.Id, before, new { organisation.WorkingHours, organisation.HolidayCalendar });
        await db.SaveChangesAsync(ct);
        Notice = "Working hours saved.";
        return RedirectToPage();
    }

    public static string Hours(double hours) => hours % 8 == 0 && hours >= 8 ? $"{hours / 8:0} working day{(hours == 8 ? "" : "s")}" : $"{hours:0.#} working hour{(hours == 1 ? "" : "s")}";

    /// <summary>
    /// Both forms' inputs are bound on every post; the one not posted binds with an empty prefix, so its errors come
    /// under bare keys. Keep only the posted form's entries.
    /// </summary>
    private void OnlyValidate(string prefix)
    {
        foreach (var key in ModelState.Keys.Where(k => !k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
    }

    private bool MayManage(long? teamId) =>
        IsAdmin ? teamId is null || Teams.Any(t => t.Id == teamId) : teamId is { } id && Teams.Any(t => t.Id == id);

    private async Task LoadAsync(CancellationToken ct)
    {
        var viewer = await access.ViewerAsync(ct);
        IsAdmin = viewer.Roles.Contains(Roles.Admin);
        var id = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request.");
        Organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == id, ct);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var policies = await db.SlaPolicies.AsNoTracking().ToListAsync(ct);
        Teams = IsAdmin ? teams : [.. teams.Where(t => viewer.TeamIds.Contains(t.Id))];
        Rows = policies
            .OrderBy(p => p.TeamId is not null).ThenBy(p => teams.FirstOrDefault(t => t.Id == p.TeamId)?.Name).ThenByDescending(p => p.Specificity)
            .Select(p => new Row(p, p.TeamId is null ? "Organisation default" : teams.FirstOrDefault(t => t.Id == p.TeamId)?.Name ?? "Unknown team", MayManage(p.TeamId)))
            .ToList();
        var calendar = calendars.For(Organisation);
        var today = calendar.LocalDate(clock.GetUtcNow().UtcDateTime);
        NextHolidays = [.. BankHolidays.For(Organisation.HolidayCalendar).Where(h => h.Date >= today).Take(4)];
    }

    private static object Snapshot(SlaPolicy p) => new { p.TeamId, p.ServiceCode, p.Priority, p.FirstResponseHours, p.ResolutionHours };

    public sealed class PolicyInput
    {
        public long? TeamId { get; set; }

        [StringLength(64, ErrorMessage = "Enter a service code of 64 characters or fewer")]
        public string? ServiceCode { get; set; }

        public Priority? Priority { get; set; }

        [Required(ErrorMessage = "Enter the first response target in working hours")]
        [Range(0.25, 2000, ErrorMessage = "Enter a first response target between 0.25 and 2,000 working hours")]
        public double? FirstResponseHours { get; set; }

        [Required(ErrorMessage = "Enter the resolution target in working hours")]
        [Range(0.25, 10000, ErrorMessage = "Enter a resolution target between 0.25 and 10,000 working hours")]
        public double? ResolutionHours { get; set; }
    }

    public sealed class CalendarInput
    {
        [Required(ErrorMessage = "Enter the working hours, for example Mon-Fri 09:00-17:00")]
        public string? WorkingHours { get; set; }

        [Required(ErrorMessage = "Choose which bank holidays the office closes for")]
        public string? HolidayCalendar { get; set; }
    }
}
