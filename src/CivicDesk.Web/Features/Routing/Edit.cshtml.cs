using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Routing;

/// <summary>Adds a rule (no id: it goes last) or edits one. Saving writes the audit event in the same SaveChanges.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class EditModel(CivicDeskDb db, RoutingService routing, AuditLog audit, TimeProvider clock) : PageModel
{
    [BindProperty]
    public RoutingRuleInput Input { get; set; } = new();

    public long? RuleId { get; private set; }

    public int? Position { get; private set; }

    public IReadOnlyList<Team> Teams { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        Teams = await TeamsAsync(ct);
        if (id is null)
        {
            Input = new RoutingRuleInput { TeamId = null };
            return Page();
        }

        var rule = await db.RoutingRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
        {
            return NotFound();
        }

        (RuleId, Position, Input) = (rule.Id, rule.Position, RoutingRuleInput.From(rule));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        Teams = await TeamsAsync(ct);
        RoutingRule? rule = null;
        if (id is not null)
        {
            rule = await db.RoutingRules.SingleOrDefaultAsync(r => r.Id == id, ct);
            if (rule is null)
            {
                return NotFound();
            }

            (RuleId, Position) = (rule.Id, rule.Position);
        }

        foreach (var (field, message) in Input.Problems([.. Teams.Select(t => t.Id)]))
        {
            ModelState.AddModelError($"{nameof(Input)}.{field}", message);
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var organisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request.");
        var now = clock.GetUtcNow().UtcDateTime;
        if (rule is null)
        {
            var last = await db.RoutingRules.MaxAsync(r => (int?)r.Position, ct) ?? 0;
            rule = new RoutingRule { OrganisationId = organisationId, Name = "", Position = last + 1, UpdatedAt = now };
            Input.ApplyTo(rule);
            db.RoutingRules.Add(rule);
            // The event names the rule's id, known only after the insert: two saves, one transaction, so the rule
            // and its audit event still commit (or fail) together.
            await using var tx = await db.BeginWriteTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            audit.Record("routing-rule.created", nameof(RoutingRule), rule.Id, null, RoutingRuleSnapshot.Of(rule));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            TempData["Notice"] = $"Rule {rule.Position} \"{rule.Name}\" added.";
        }
        else
        {
            var before = RoutingRuleSnapshot.Of(rule);
            Input.ApplyTo(rule);
            rule.UpdatedAt = now;
            audit.Record("routing-rule.updated", nameof(RoutingRule), rule.Id, before, RoutingRuleSnapshot.Of(rule));
            await db.SaveChangesAsync(ct);
            TempData["Notice"] = $"Rule {rule.Position} \"{rule.Name}\" saved.";
        }

        routing.Invalidate(organisationId);
        return RedirectToPage("/Routing/Index");
    }

    private async Task<IReadOnlyList<Team>> TeamsAsync(CancellationToken ct) =>
        await db.Teams.AsNoTracking().OrderByDescending(t => t.IsDefault).ThenBy(t => t.Name).ToListAsync(ct);
}
