using System.ComponentModel.DataAnnotations;
using CivicDesk.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Routing;

/// <summary>The organisation's routing rules in order, with move / enable / disable, and a box to try text against them.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class IndexModel(CivicDeskDb db, RoutingService routing, ITriageEngine triage, AuditLog audit, TimeProvider clock) : PageModel
{
    public RuleBook Book { get; private set; } = null!;

    public TryInput Try { get; private set; } = new();

    public TryResult? Result { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Book = await LoadBookAsync(ct);

    /// <summary>Swaps a rule with its neighbour above or below.</summary>
    public async Task<IActionResult> OnPostMoveAsync(long id, string direction, CancellationToken ct)
    {
        var rule = await db.RoutingRules.SingleOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
        {
            return NotFound();
        }

        var up = string.Equals(direction, "up", StringComparison.OrdinalIgnoreCase);
        var neighbour = up
            ? await db.RoutingRules.Where(r => r.Position < rule.Position).OrderByDescending(r => r.Position).FirstOrDefaultAsync(ct)
            : await db.RoutingRules.Where(r => r.Position > rule.Position).OrderBy(r => r.Position).FirstOrDefaultAsync(ct);
        if (neighbour is null)
        {
            Notice = $"Rule {rule.Position} is already {(up ? "first" : "last")}.";
            return RedirectToPage();
        }

        var before = rule.Position;
        (rule.Position, neighbour.Position) = (neighbour.Position, rule.Position);
        rule.UpdatedAt = neighbour.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("routing-rule.moved", nameof(RoutingRule), rule.Id,
            new { Position = before }, new { rule.Position, SwappedWithRuleId = neighbour.Id });
        await db.SaveChangesAsync(ct);
        routing.Invalidate(rule.OrganisationId);
        Notice = $"Rule \"{rule.Name}\" is now rule {rule.Position}.";
        return RedirectToPage();
    }

    /// <summary>Enables a disabled rule or disables an enabled one.</summary>
    public async Task<IActionResult> OnPostToggleAsync(long id, CancellationToken ct)
    {
        var rule = await db.RoutingRules.SingleOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
        {
            return NotFound();
        }

        var before = RoutingRuleSnapshot.Of(rule);
        rule.IsEnabled = !rule.IsEnabled;
        rule.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("routing-rule.updated", nameof(RoutingRule), rule.Id, before, RoutingRuleSnapshot.Of(rule));
        await db.SaveChangesAsync(ct);
        routing.Invalidate(rule.OrganisationId);
        Notice = $"Rule {rule.Position} \"{rule.Name}\" is {(rule.IsEnabled ? "enabled" : "disabled")}.";
        return RedirectToPage();
    }

    /// <summary>Runs real triage and the current rules (read afresh, not from the cache) on the typed text.</summary>
    public async Task<IActionResult> OnPostTryAsync([Bind(Prefix = "Try")] TryInput input, CancellationToken ct)
    {
        Try = input;
        Book = await LoadBookAsync(ct);
        if (ModelState.IsValid)
        {
            var result = triage.Triage(new TriageInput(input.Text));
            var routingInput = new RoutingInput(input.Text, input.Channel, result.Kind.Value, result.Category.Value, result.Sentiment.Value,
                result.Urgency.IsUrgent, result.Place?.Text);
            Result = new TryResult(result, routingInput, Book.Decide(routingInput), Book.Explain(routingInput), Book);
        }

        return Request.IsHtmx() ? Partial("_TryResult", new TryView(Result, TryError)) : Page();
    }

    /// <summary>The problem with the typed text, if any.</summary>
    public string? TryError => ModelState["Try.Text"]?.Errors.FirstOrDefault()?.ErrorMessage;

    private Task<RuleBook> LoadBookAsync(CancellationToken ct) =>
        RuleBook.LoadAsync(db, db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request."), ct);

    public sealed class TryInput
    {
        [Required(ErrorMessage = "Enter the text of a message to try")]
        [StringLength(Message.MaxTextLength, ErrorMessage = "Enter 10,000 characters or fewer")]
        public string Text { get; set; } = "";

        public ChannelKind Channel { get; set; } = ChannelKind.Twitter;
    }
}

/// <summary>What the try box found: triage, the routing decision, and every rule's check.</summary>
public sealed record TryResult(TriageResult Triage, RoutingInput Input, RoutingDecision Decision, IReadOnlyList<RuleCheck> Checks, RuleBook Book);

/// <summary>The try box's partial: a result, or the problem with the text.</summary>
public sealed record TryView(TryResult? Result, string? Error);
