using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Admin;

/// <summary>
/// The organisation's emergency advice: what citizens are told to do when someone is in danger (999, the gas emergency
/// line, the out-of-hours number). Shown on the public home page and on the confirmation of a report triage thinks
/// urgent. Admins edit it here; each change is audited with the text before and after.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class EmergencyAdviceModel(CivicDeskDb db, AuditLog audit) : PageModel
{
    /// <summary>The column's length (Organisation.EmergencyAdvice).</summary>
    public const int MaxLength = 1000;

    public const string AuditAction = "organisation.emergency-advice-changed";

    [BindProperty] public string? Advice { get; set; }

    public IReadOnlyList<ErrorLink> Errors { get; private set; } = [];

    [TempData] public string? Done { get; set; }

    /// <summary>Who changed it last and when (from the audit trail), or null when it was never changed here.</summary>
    public (string Who, DateTime At)? LastChange { get; private set; }

    private long OrganisationId => User.OrganisationId() ?? throw new InvalidOperationException("This page needs a signed-in organisation.");

    public async Task OnGetAsync(CancellationToken ct)
    {
        Advice = await db.Organisations.Where(o => o.Id == OrganisationId).Select(o => o.EmergencyAdvice).SingleAsync(ct);
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var text = Normalise(Advice);
        if (text.Length == 0)
        {
            ModelState.AddModelError(nameof(Advice), "Enter the emergency advice citizens should see");
        }
        else if (text.Length > MaxLength)
        {
            ModelState.AddModelError(nameof(Advice), $"Emergency advice must be {MaxLength:N0} characters or fewer (it is {text.Length:N0})");
        }

        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, nameof(Advice), _ => "advice");
            await LoadAsync(ct);
            return Page();
        }

        var org = await db.Organisations.SingleAsync(o => o.Id == OrganisationId, ct);
        if (org.EmergencyAdvice == text)
        {
            Done = "Emergency advice not changed: it was already this text";
            return RedirectToPage();
        }

        // Saved with its audit event in one SaveChanges: both or neither.
        var before = org.EmergencyAdvice;
        org.EmergencyAdvice = text;
        audit.Record(AuditAction, nameof(Organisation), org.Id, new { advice = before }, new { advice = text });
        await db.SaveChangesAsync(ct);
        Done = "Emergency advice saved. Citizens see the new text now";
        return RedirectToPage();
    }

    /// <summary>Trimmed, line endings as \n, no control characters, at most one blank line between paragraphs.</summary>
    internal static string Normalise(string? value)
    {
        var text = (value ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (ch == '\n' || !char.IsControl(ch))
            {
                sb.Append(ch == '\t' ? ' ' : ch);
            }
        }

        var lines = sb.ToString().Split('\n').Select(l => l.Trim()).ToList();
        var kept = new List<string>(lines.Count);
        foreach (var line in lines)
        {
            if (line.Length > 0 || (kept.Count > 0 && kept[^1].Length > 0))
            {
                kept.Add(line);
            }
        }

        return string.Join('\n', kept).Trim();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var last = await db.AuditEvents.AsNoTracking().Where(a => a.Action == AuditAction)
            .OrderByDescending(a => a.Sequence).Select(a => new { a.ActorName, a.At }).FirstOrDefaultAsync(ct);
        LastChange = last is null ? null : (last.ActorName, last.At);
    }
}
