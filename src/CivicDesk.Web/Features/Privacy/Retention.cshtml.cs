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
        Runs = await db.RetentionRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(10).ToListAsync(ct);
    }
}
