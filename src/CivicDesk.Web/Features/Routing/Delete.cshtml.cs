using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Routing;

/// <summary>Asks before deleting a rule; deleting closes the gap so the later rules keep consecutive numbers.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class DeleteModel(CivicDeskDb db, RoutingService routing, AuditLog audit, TimeProvider clock) : PageModel
{
    public RoutingRule Rule { get; private set; } = null!;

    public string TeamName { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var rule = await db.RoutingRules.AsNoTracking().Include(r => r.Team).SingleOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
        {
            return NotFound();
        }

        (Rule, TeamName) = (rule, rule.Team?.Name ?? "");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        var rule = await db.RoutingRules.SingleOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
        {
            return NotFound();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var later = await db.RoutingRules.Where(r => r.Position > rule.Position).ToListAsync(ct);
        foreach (var r in later)
        {
            r.Position--;
            r.UpdatedAt = now;
        }

        db.RoutingRules.Remove(rule);
        audit.Record("routing-rule.deleted", nameof(RoutingRule), rule.Id, RoutingRuleSnapshot.Of(rule), null);
        await db.SaveChangesAsync(ct);
        routing.Invalidate(rule.OrganisationId);
        TempData["Notice"] = $"Rule \"{rule.Name}\" deleted.";
        return RedirectToPage("/Routing/Index");
    }
}
