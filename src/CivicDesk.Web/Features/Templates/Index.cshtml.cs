using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Templates;

/// <summary>
/// Reply templates: admins manage every template; team leads manage their own teams' templates and see the
/// organisation-wide ones. One page: the list, and a form that adds (no id) or edits (?edit=id) a template.
/// </summary>
[Authorize(Policy = Policies.TeamLead)]
public sealed class IndexModel(CivicDeskDb db, ConversationAccess access, AuditLog audit, TimeProvider clock) : PageModel
{
    public sealed record Row(ReplyTemplate Template, string TeamName, bool CanManage);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public bool IsAdmin { get; private set; }
    public long? EditingId { get; private set; }

    [BindProperty] public TemplateInput Input { get; set; } = new();
    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(long? edit, CancellationToken ct)
    {
        await LoadAsync(ct);
        if (edit is { } id)
        {
            var row = Rows.FirstOrDefault(r => r.Template.Id == id);
            if (row is null || !row.CanManage)
            {
                return NotFound();
            }

            EditingId = id;
            Input = new TemplateInput { Name = row.Template.Name, Body = row.Template.Body, TeamId = row.Template.TeamId };
        }

        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long? id, CancellationToken ct)
    {
        await LoadAsync(ct);
        EditingId = id;
        ReplyTemplate? template = null;
        if (id is not null)
        {
            template = await db.ReplyTemplates.SingleOrDefaultAsync(t => t.Id == id, ct);
            if (template is null || !await MayManageAsync(template.TeamId, ct))
            {
                return NotFound();
            }
        }

        if (!await MayManageAsync(Input.TeamId, ct))
        {
            ModelState.AddModelError("Input.TeamId", IsAdmin ? "Choose a team" : "Choose one of your own teams");
        }

        foreach (var problem in TemplateRenderer.Problems(Input.Body))
        {
            ModelState.AddModelError("Input.Body", problem);
        }

        var name = Input.Name?.Trim() ?? "";
        if (await db.ReplyTemplates.AnyAsync(t => t.Name == name && t.TeamId == Input.TeamId && t.Id != (id ?? 0), ct))
        {
            ModelState.AddModelError("Input.Name", "There is already a template with this name for this team");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var organisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request.");
        if (template is null)
        {
            template = new ReplyTemplate { OrganisationId = organisationId, Name = name, Body = Input.Body!.Trim(), TeamId = Input.TeamId, CreatedAt = now, UpdatedAt = now };
            db.ReplyTemplates.Add(template);
            // The event names the new id: two saves in one transaction, so both commit or neither.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            audit.Record("reply-template.created", nameof(ReplyTemplate), template.Id, null, Snapshot(template));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            Notice = $"Template \"{template.Name}\" added.";
        }
        else
        {
            var before = Snapshot(template);
            (template.Name, template.Body, template.TeamId, template.UpdatedAt) = (name, Input.Body!.Trim(), Input.TeamId, now);
            audit.Record("reply-template.updated", nameof(ReplyTemplate), template.Id, before, Snapshot(template));
            await db.SaveChangesAsync(ct);
            Notice = $"Template \"{template.Name}\" saved.";
        }

        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        var template = await db.ReplyTemplates.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (template is null || !await MayManageAsync(template.TeamId, ct))
        {
            return NotFound();
        }

        audit.Record("reply-template.deleted", nameof(ReplyTemplate), template.Id, Snapshot(template), null);
        db.ReplyTemplates.Remove(template);
        await db.SaveChangesAsync(ct);
        Notice = $"Template \"{template.Name}\" deleted.";
        return RedirectToPage();
    }

    public string TeamName(long? teamId) => teamId is null ? "Everyone" : Teams.FirstOrDefault(t => t.Id == teamId)?.Name ?? "Unknown team";

    private async Task<bool> MayManageAsync(long? teamId, CancellationToken ct)
    {
        var viewer = await access.ViewerAsync(ct);
        return viewer.Roles.Contains(Roles.Admin)
            ? teamId is null || Teams.Any(t => t.Id == teamId)
            : teamId is { } id && viewer.TeamIds.Contains(id);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var viewer = await access.ViewerAsync(ct);
        IsAdmin = viewer.Roles.Contains(Roles.Admin);
        Teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var templates = await db.ReplyTemplates.AsNoTracking().OrderBy(t => t.TeamId != null).ThenBy(t => t.Name).ToListAsync(ct);
        Rows = templates
            .Where(t => IsAdmin || t.TeamId is null || viewer.TeamIds.Contains(t.TeamId.Value))
            .Select(t => new Row(t, TeamName(t.TeamId), IsAdmin || (t.TeamId is { } team && viewer.TeamIds.Contains(team))))
            .ToList();
        if (!IsAdmin)
        {
            Teams = [.. Teams.Where(t => viewer.TeamIds.Contains(t.Id))];
        }
    }

    private static object Snapshot(ReplyTemplate t) => new { t.Name, t.TeamId, t.Body };

    public sealed class TemplateInput
    {
        [Required(ErrorMessage = "Enter a name for the template")]
        [StringLength(ReplyTemplate.MaxNameLength, ErrorMessage = "Enter a name of 120 characters or fewer")]
        public string? Name { get; set; }

        [Required(ErrorMessage = "Enter the text of the reply")]
        [StringLength(ReplyTemplate.MaxBodyLength, ErrorMessage = "Enter 4,000 characters or fewer")]
        public string? Body { get; set; }

        public long? TeamId { get; set; }
    }
}
