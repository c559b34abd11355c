using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Faq;

[Authorize(Policy = Policies.Comms)]
public sealed class SessionsModel(CivicDeskDb db, QaCommands commands, TimeProvider clock) : FormPage
{
    public sealed record Row(long Id, string Title, string? Hashtag, string? Account, DateTime StartsAt, DateTime EndsAt, int Questions, int InFaq);

    public sealed record ChannelChoice(long Id, string Name, ChannelKind Kind);

    public IReadOnlyList<Row> Sessions { get; private set; } = [];
    public IReadOnlyList<ChannelChoice> Channels { get; private set; } = [];
    public string Zone { get; private set; } = "Europe/London";
    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    [BindProperty] public QaSessionInput Input { get; set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var outcome = await commands.CreateSessionAsync(Input, Zone, ct);
        if (!outcome.Succeeded)
        {
            Errors = outcome.Errors;
            return Page();
        }

        Notice = "Session set up. Questions that arrive in its window appear on its board";
        return Redirect($"/comms/qa/{outcome.Id}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await db.Organisations.Where(o => o.Id == db.CurrentOrganisationId).Select(o => o.TimeZoneId).SingleAsync(ct);
        Sessions = await db.QaSessions.AsNoTracking().OrderByDescending(s => s.StartsAt)
            .Select(s => new Row(s.Id, s.Title, s.Hashtag, s.Account, s.StartsAt, s.EndsAt,
                db.QaQuestions.Count(q => q.SessionId == s.Id), db.QaQuestions.Count(q => q.SessionId == s.Id && q.FaqEntryId != null)))
            .Take(200).ToListAsync(ct);
        var kinds = BroadcastChannels.Kinds.ToList();
        Channels = (await db.Channels.AsNoTracking().Where(c => c.IsActive).OrderBy(c => c.Name).Select(c => new ChannelChoice(c.Id, c.Name, c.Kind)).ToListAsync(ct))
            .Where(c => kinds.Contains(c.Kind)).ToList();
    }
}
