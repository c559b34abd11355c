using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Faq;

/// <summary>The session board: gathers new questions on every visit, answers them, curates answered ones into the FAQ.</summary>
[Authorize(Policy = Policies.Comms)]
public sealed class BoardModel(CivicDeskDb db, QaCommands commands) : FormPage
{
    public QaSession Session { get; private set; } = null!;
    public IReadOnlyList<BoardQuestion> Questions { get; private set; } = [];
    public string Zone { get; private set; } = "Europe/London";
    public int Gathered { get; private set; }

    /// <summary>The question whose form failed, and what was typed, so the page shows it again.</summary>
    public long? FailedQuestionId { get; private set; }
    [BindProperty] public string? Answer { get; set; }
    [BindProperty] public string? FaqQuestion { get; set; }
    [BindProperty] public string? FaqAnswer { get; set; }
    [BindProperty] public string? FaqTopic { get; set; }
    [BindProperty] public bool TellAsker { get; set; }

    public string FaqUrl => $"{Request.Scheme}://{Request.Host}/faq";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostAnswerAsync(long id, long questionId, CancellationToken ct) =>
        RunAsync(id, questionId, () => commands.AnswerAsync(id, questionId, Answer, ct), "Answer queued on the citizen's channel", ct);

    public Task<IActionResult> OnPostFaqAsync(long id, long questionId, CancellationToken ct) =>
        RunAsync(id, questionId, () => commands.AddToFaqAsync(id, questionId, FaqQuestion, FaqAnswer, FaqTopic, TellAsker, FaqUrl, ct),
            TellAsker ? "Added to the FAQ, and the asker is being told" : "Added to the FAQ", ct);

    public Task<IActionResult> OnPostDismissAsync(long id, long questionId, CancellationToken ct) =>
        RunAsync(id, questionId, () => commands.SetStateAsync(id, questionId, QaQuestionState.Dismissed, ct), "Marked as not a question for this session", ct);

    public Task<IActionResult> OnPostRestoreAsync(long id, long questionId, CancellationToken ct) =>
        RunAsync(id, questionId, () => commands.SetStateAsync(id, questionId, QaQuestionState.Open, ct), "Back on the board", ct);

    private async Task<IActionResult> RunAsync(long id, long questionId, Func<Task<FormOutcome>> command, string done, CancellationToken ct)
    {
        if (!await db.QaSessions.AnyAsync(s => s.Id == id, ct))
        {
            return NotFound();
        }

        var outcome = await command();
        if (!outcome.Succeeded)
        {
            await LoadAsync(id, ct);
            FailedQuestionId = questionId;
            // The board repeats each form per question: link the summary to this question's fields.
            Errors = outcome.Errors.Select(e => e.FieldId is "faq-question" or "faq-answer" or "faq-topic" or "tell-asker"
                ? e with { FieldId = $"{e.FieldId}-{questionId}" } : e).ToList();
            return Page();
        }

        Notice = done;
        return Redirect($"/comms/qa/{id}#question-{questionId}");
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var session = await db.QaSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (session is null)
        {
            return false;
        }

        Session = session;
        Zone = await db.Organisations.Where(o => o.Id == session.OrganisationId).Select(o => o.TimeZoneId).SingleAsync(ct);
        Gathered = await commands.GatherAsync(session, ct);
        Questions = await commands.BoardAsync(id, ct);
        return true;
    }
}
