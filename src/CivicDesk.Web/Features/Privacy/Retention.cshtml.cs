using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Privacy;

/// <summary>Retention policies per data class, a dry run that says what would go, the purge itself, and past runs.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class RetentionModel(CivicDeskDb db, RetentionPurge purge, AuditLog audit, TimeProvider clock) : PageModel
{
    public IReadOnlyList<RetentionPolicy> PolicyRows { get; private set; } = [];
    public IReadOnlyList<RetentionRun> Runs { get; private set; } = [];
    public IReadOnlyList<RetentionClassReport>? Report { get; private set; }
    public bool ReportIsDryRun { get; private set; }
    public IReadOnlyList<ErrorLink> Errors { get; private set; } = [];
    public string? Done { get; private set; }

    [BindProperty] public List<PolicyInput> Input { get; set; } = [];

    /// <summary>For the generated privacy notice (/privacy).</summary>
    [BindProperty, System.ComponentModel.DataAnnotations.StringLength(500, ErrorMessage = "The contact must be 500 characters or fewer")]
    public string? PrivacyContact { get; set; }

    [BindProperty, System.ComponentModel.DataAnnotations.RegularExpression("^[A-Za-z0-9]{0,20}$", ErrorMessage = "Enter the ICO registration number, like ZA123456")]
    public string? IcoRegistration { get; set; }

    public sealed class PolicyInput
    {
        public RetentionDataClass DataClass { get; set; }
        public int? PeriodDays { get; set; }
        public RetentionAction Action { get; set; }
        public bool Enabled { get; set; }
    }

    private long OrganisationId => User.OrganisationId() ?? throw new InvalidOperationException("This page needs a signed-in organisation.");

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        await RetentionDefaults.EnsureAsync(db, OrganisationId, clock.GetUtcNow().UtcDateTime, ct);
        var policies = await db.RetentionPolicies.ToListAsync(ct);
        foreach (var input in Input)
        {
            if (input.PeriodDays is not (>= 1 and <= 36_500))
            {
                ModelState.AddModelError($"Input_{input.DataClass}_PeriodDays", $"Enter a period between 1 and 36,500 days for {RetentionDefaults.Describe(input.DataClass).ToLowerInvariant()}");
            }
        }

        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, "");
            await LoadAsync(ct);
            return Page();
        }

        foreach (var input in Input)
        {
            if (policies.FirstOrDefault(p => p.DataClass == input.DataClass) is not { } p)
            {
                continue;
            }

            var before = new { p.PeriodDays, action = p.Action.ToString(), enabled = p.IsEnabled };
            if (before.PeriodDays == input.PeriodDays && p.Action == input.Action && p.IsEnabled == input.Enabled)
            {
                continue;
            }

            (p.PeriodDays, p.Action, p.IsEnabled, p.UpdatedAt) = (input.PeriodDays!.Value, input.Action, input.Enabled, clock.GetUtcNow().UtcDateTime);
            audit.Record("retention-policy.changed", nameof(RetentionPolicy), p.DataClass.ToString(), before, new { p.PeriodDays, action = p.Action.ToString(), enabled = p.IsEnabled });
        }

        await db.SaveChangesAsync(ct);
        Done = "Retention policies saved";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostNoticeAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, "PrivacyContact");
            await LoadAsync(ct);
            return Page();
        }

        var org = await db.Organisations.SingleAsync(o => o.Id == OrganisationId, ct);
        var before = new { org.PrivacyContact, org.IcoRegistration };
        org.PrivacyContact = string.IsNullOrWhiteSpace(PrivacyContact) ? null : PrivacyContact.Trim();
        org.IcoRegistration = string.IsNullOrWhiteSpace(IcoRegistration) ? null : IcoRegistration.Trim().ToUpperInvariant();
        audit.Record("organisation.privacy-notice-changed", nameof(Organisation), org.Id, before, new { org.PrivacyContact, org.IcoRegistration });
        await db.SaveChangesAsync(ct);
        Done = "Privacy notice details saved";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDryRunAsync(CancellationToken ct)
    {
        (_, Report) = await purge.RunAsync(OrganisationId, dryRun: true, ct);
        ReportIsDryRun = true;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPurgeAsync(CancellationToken ct)
    {
        (_, Report) = await purge.RunAsync(OrganisationId, dryRun: false, ct);
        Done = $"Purge finished: {Report.Sum(r => r.Affected)} items";
        await LoadAsync(ct);
        return Page();
    }

    public static IReadOnlyList<RetentionClassReport> ReportOf(RetentionRun run) =>
        JsonSerializer.Deserialize<List<RetentionClassReport>>(run.ReportJson, JsonSerializerOptions.Web) ?? [];

    private async Task LoadAsync(CancellationToken ct)
    {
        await RetentionDefaults.EnsureAsync(db, OrganisationId, clock.GetUtcNow().UtcDateTime, ct);
        PolicyRows = await db.RetentionPolicies.AsNoTracking().OrderBy(p => p.DataClass).ToListAsync(ct);
        var org = await db.Organisations.AsNoTracking().Where(o => o.Id == OrganisationId).Select(o => new { o.PrivacyContact, o.IcoRegistration }).SingleAsync(ct);
        PrivacyContact ??= org.PrivacyContact;
        IcoRegistration ??= org.IcoRegistration;
        Runs = await db.RetentionRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(10).ToListAsync(ct);
    }
}
