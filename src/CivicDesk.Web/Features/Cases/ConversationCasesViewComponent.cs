using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

public sealed record MessageChoice(long Id, string Excerpt, DateTime CreatedAt, bool Linked);

public sealed record LinkedCase(string Reference, string Title, CaseStatus Status);

public sealed record ConversationCasesView(
    long ConversationId,
    bool CanWork,
    IReadOnlyList<LinkedCase> Cases,
    IReadOnlyList<MessageChoice> Messages,
    IReadOnlyList<Choice> Services,
    string? SuggestedService,
    IReadOnlyList<(LinkedCase Case, DuplicateSuggestion Why)> Suggestions,
    string? Error);

/// <summary>
/// The "Cases" panel of the conversation view: cases this conversation is part of, "Create case" from selected
/// messages, and "Add to case" with likely existing cases (the duplicate scorer, run on the conversation's words).
/// </summary>
public sealed class ConversationCasesViewComponent(CivicDeskDb db, ConversationAccess access, DuplicateFinder duplicates, TimeProvider clock) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(long conversationId)
    {
        var ct = HttpContext.RequestAborted;
        var viewer = await access.ViewerAsync(ct);
        var conversation = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversationId, ct);
        var canWork = ConversationAccess.CanWorkOn(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId) && viewer.CanWork;

        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Direction == MessageDirection.Inbound)
            .OrderBy(m => m.CreatedAt)
            .Select(m => new { m.Id, m.Text, m.CreatedAt, m.Category, m.Latitude, m.Longitude, Linked = db.CaseMessages.Any(x => x.MessageId == m.Id) })
            .ToListAsync(ct);
        var linked = await db.Cases.AsNoTracking()
            .Where(c => db.CaseReporters.Any(r => r.CaseId == c.Id && r.ConversationId == conversationId)
                        || db.CaseMessages.Any(x => x.CaseId == c.Id && db.Messages.Any(m => m.Id == x.MessageId && m.ConversationId == conversationId)))
            .OrderByDescending(c => c.CreatedAt)
            .Select(c => new LinkedCase(c.Reference, c.Title, c.Status))
            .ToListAsync(ct);
        var services = await db.CaseServices.AsNoTracking().Where(s => s.IsActive).OrderBy(s => s.Name).Select(s => new Choice(s.Code, s.Name)).ToListAsync(ct);
        var category = messages.Select(m => m.Category).LastOrDefault(c => c is not null);

        var suggestions = new List<(LinkedCase, DuplicateSuggestion)>();
        if (canWork && messages.Count > 0)
        {
            // A transient case (never saved) so the scorer sees the conversation as it would see a new case.
            var located = messages.FirstOrDefault(m => m.Latitude is not null);
            var subject = new Case
            {
                OrganisationId = conversation.OrganisationId, Reference = "", ServiceCode = category ?? "", Title = conversation.Subject,
                Description = string.Join("\n", messages.Select(m => m.Text)), Latitude = located?.Latitude, Longitude = located?.Longitude,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            var found = await duplicates.SuggestAsync(subject, ct);
            var ids = found.Select(f => f.CandidateId).ToList();
            var cases = await CaseAccess.Visible(db.Cases.AsNoTracking(), viewer).Where(c => ids.Contains(c.Id))
                .Select(c => new { c.Id, View = new LinkedCase(c.Reference, c.Title, c.Status) }).ToListAsync(ct);
            suggestions.AddRange(found.Where(f => cases.Any(c => c.Id == f.CandidateId) && linked.All(l => l.Reference != cases.First(c => c.Id == f.CandidateId).View.Reference))
                .Select(f => (cases.First(c => c.Id == f.CandidateId).View, f)));
        }

        var error = TempData["CaseError"] as string;
        return View("/Features/Cases/_ConversationCases.cshtml", new ConversationCasesView(
            conversationId, canWork, linked,
            messages.Select(m => new MessageChoice(m.Id, Excerpt(m.Text), m.CreatedAt, m.Linked)).ToList(),
            services, services.Any(s => s.Value == category) ? category : null, suggestions, error));
    }

    private static string Excerpt(string text) => text.Length <= 80 ? text : text[..79] + "…";
}
