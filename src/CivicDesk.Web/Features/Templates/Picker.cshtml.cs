using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Templates;

/// <summary>
/// The template picker under a conversation's reply box (htmx): the templates for the conversation's team and the
/// organisation, and a preview of one with its variables filled in. Nothing is sent from here: "Use this text" puts
/// the preview into the reply box, where it can be changed and sent through the normal reply flow.
/// </summary>
[Authorize(Policy = Policies.CaseWorker)]
public sealed class PickerModel(CivicDeskDb db, ConversationAccess access, ExpectedByLookup expected) : PageModel
{
    public long ConversationId { get; private set; }
    public IReadOnlyList<ReplyTemplate> Templates { get; private set; } = [];
    public ReplyTemplate? Chosen { get; private set; }
    public string? Preview { get; private set; }
    public int MaxLength { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, long? templateId, CancellationToken ct)
    {
        var conversation = await db.Conversations.AsNoTracking().Include(c => c.Channel).Include(c => c.AssignedTeam).SingleOrDefaultAsync(c => c.Id == id, ct);
        var viewer = await access.ViewerAsync(ct);
        if (conversation is null || !ConversationAccess.CanWorkOn(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId))
        {
            return NotFound();
        }

        ConversationId = id;
        MaxLength = ReplyLimits.MaxLength(conversation.Channel!.Kind);
        Templates = await db.ReplyTemplates.AsNoTracking()
            .Where(t => t.TeamId == null || t.TeamId == conversation.AssignedTeamId)
            .OrderBy(t => t.TeamId == null).ThenBy(t => t.Name)
            .ToListAsync(ct);
        if (templateId is { } chosenId)
        {
            Chosen = Templates.FirstOrDefault(t => t.Id == chosenId);
            if (Chosen is null)
            {
                return NotFound();
            }

            var organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == conversation.OrganisationId, ct);
            Preview = TemplateRenderer.Render(Chosen.Body, new TemplateValues(
                conversation.Reference,
                await expected.ForConversationAsync(conversation, ct),
                $"{Request.Scheme}://{Request.Host}/status/{Uri.EscapeDataString(conversation.Reference)}",
                conversation.AssignedTeam?.Name ?? organisation.Name,
                conversation.CitizenName,
                InboxText.Zone(organisation.TimeZoneId)));
            return Partial("_TemplatePreview", this);
        }

        return Partial("_TemplatePicker", this);
    }
}
