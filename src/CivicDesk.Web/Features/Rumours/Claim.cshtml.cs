using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Rumours;

/// <summary>One claim: status and evidence, sightings and suggestions, sightings per day, the verdict and the replies.</summary>
[Authorize(Policy = Policies.Comms)]
public sealed class ClaimModel(CivicDeskDb db, RumourCommands commands, RumourSuggestions suggestions, IBroadcaster broadcaster) : FormPage
{
    public sealed record SightingRow(long MessageId, long ConversationId, string Reference, string Channel, string AuthorHandle, string Text, DateTime SeenAt, string Reason, string AddedBy);

    public sealed record ChannelChoice(long Id, string Name, ChannelKind Kind);

    public RumourClaim Claim { get; private set; } = null!;
    public string Zone { get; private set; } = "Europe/London";
    public IReadOnlyList<SightingRow> Sightings { get; private set; } = [];
    public IReadOnlyList<(DateOnly Day, int Count)> PerDay { get; private set; } = [];
    public IReadOnlyList<SightingSuggestion> Suggestions { get; private set; } = [];
    public ChartModel SpreadChart { get; private set; } = null!;
    public IReadOnlyList<SightingAuthor> Authors { get; private set; } = [];
    public IReadOnlyList<ChannelChoice> Channels { get; private set; } = [];
    public IReadOnlyList<(string Channel, BroadcastChannelState State)> RebuttalStates { get; private set; } = [];
    public IReadOnlyList<string> Skipped { get; private set; } = [];

    [BindProperty] public RumourStatus? Status { get; set; }
    [BindProperty] public string? Notes { get; set; }
    [BindProperty] public string? Reference { get; set; }
    [BindProperty] public RumourStatus? Verdict { get; set; }
    [BindProperty] public string? Facts { get; set; }
    [BindProperty] public string? Rebuttal { get; set; }
    [BindProperty] public List<long> ChannelIds { get; set; } = [];
    [BindProperty] public List<string> Authorised { get; set; } = [];
    [BindProperty] public string? ReplyText { get; set; }

    public string MythsUrl => $"{Request.Scheme}://{Request.Host}/myths-and-facts";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    /// <summary>
    /// The rebuttal's live length check: each account's count by its network's own rule, with the link to the facts
    /// as it goes out, and a polite status line naming the ticked accounts it is too long for.
    /// </summary>
    public async Task<IActionResult> OnPostMeasureAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Partial("_RebuttalMeasure", this) : NotFound();

    /// <summary>The count of the typed rebuttal for <paramref name="channel"/>, with the link to this claim's facts.</summary>
    public BroadcastLength? Measure(ChannelChoice channel) => broadcaster.Measure(channel.Kind, Rebuttal?.Trim() ?? "", $"{MythsUrl}#claim-{Claim.Id}");

    public Task<IActionResult> OnPostStatusAsync(long id, CancellationToken ct) =>
        RunAsync(id, () => commands.ChangeStatusAsync(id, Status, Notes, ct), "Status and evidence notes saved", ct);

    public Task<IActionResult> OnPostAttachAsync(long id, CancellationToken ct) =>
        RunAsync(id, () => commands.AttachAsync(id, null, Reference, null, ct), "Sighting attached", ct);

    public async Task<IActionResult> OnPostAcceptAsync(long id, long messageId, string? reason, CancellationToken ct) =>
        await RunAsync(id, () => commands.AttachAsync(id, messageId, null, string.IsNullOrWhiteSpace(reason) ? null : "suggested: " + reason, ct), "Suggestion attached as a sighting", ct);

    public Task<IActionResult> OnPostDismissAsync(long id, long messageId, CancellationToken ct) =>
        RunAsync(id, () => commands.DismissAsync(id, messageId, ct), "Suggestion dismissed; it will not be suggested again", ct);

    public Task<IActionResult> OnPostVerdictAsync(long id, CancellationToken ct) =>
        RunAsync(id, () => commands.PublishVerdictAsync(id, Verdict, Facts, Rebuttal, ChannelIds, MythsUrl, ct),
            "Verdict published on the myths and facts page" + (ChannelIds.Count > 0 ? " and the rebuttal handed to the publishing service" : ""), ct);

    public async Task<IActionResult> OnPostReplyAsync(long id, CancellationToken ct)
    {
        var outcome = await commands.ReplyToAuthorsAsync(id, Authorised, ReplyText, ct);
        if (outcome.Errors.Count > 0)
        {
            if (!await LoadAsync(id, ct))
            {
                return NotFound();
            }

            Errors = outcome.Errors;
            return Page();
        }

        Notice = $"{outcome.Queued} {(outcome.Queued == 1 ? "reply" : "replies")} queued, spaced out on the outbound queue"
                 + (outcome.Skipped.Count > 0 ? ". Not sent: " + string.Join("; ", outcome.Skipped) : "");
        return Redirect($"/comms/rumours/{id}#replies");
    }

    private async Task<IActionResult> RunAsync(long id, Func<Task<FormOutcome>> command, string done, CancellationToken ct)
    {
        if (!await db.RumourClaims.AnyAsync(c => c.Id == id, ct))
        {
            return NotFound();
        }

        var outcome = await command();
        if (!outcome.Succeeded)
        {
            await LoadAsync(id, ct);
            Errors = outcome.Errors;
            return Page();
        }

        Notice = done;
        return Redirect($"/comms/rumours/{id}");
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var claim = await db.RumourClaims.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (claim is null)
        {
            return false;
        }

        Claim = claim;
        Zone = await db.Organisations.Where(o => o.Id == claim.OrganisationId).Select(o => o.TimeZoneId).SingleAsync(ct);
        Status ??= claim.Status;
        Notes ??= claim.EvidenceNotes;
        Verdict ??= claim.VerdictStatus ?? (claim.Status == RumourStatus.Investigating ? null : claim.Status);
        Facts ??= claim.Facts;
        Rebuttal ??= claim.RebuttalText;
        var sightings = await db.RumourSightings.AsNoTracking().Where(s => s.ClaimId == id && s.State == SightingState.Attached)
            .Join(db.Messages, s => s.MessageId, m => m.Id, (s, m) => new { s, m.Text })
            .Join(db.Conversations, x => x.s.ConversationId, c => c.Id, (x, c) => new { x.s, x.Text, c.Reference })
            .Join(db.Channels, x => x.s.ChannelId, ch => ch.Id, (x, ch) => new { x.s.MessageId, x.s.ConversationId, x.Reference, Channel = ch.Name,
                x.s.AuthorHandle, x.Text, x.s.SeenAt, x.s.Reason, x.s.AddedByName })
            .OrderByDescending(s => s.SeenAt).ToListAsync(ct);
        Sightings = sightings.Select(x => new SightingRow(x.MessageId, x.ConversationId, x.Reference, x.Channel, x.AuthorHandle, x.Text, x.SeenAt, x.Reason, x.AddedByName)).ToList();
        PerDay = Sightings.GroupBy(s => DateOnly.FromDateTime(LocalTime.ToLocal(s.SeenAt, Zone))).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ToList();
        SpreadChart = SightingsChart(PerDay, DateOnly.FromDateTime(LocalTime.ToLocal(DateTime.UtcNow, Zone)));
        Suggestions = await suggestions.ForAsync(claim, 20, ct);
        Authors = await commands.AuthorsAsync(id, ct);
        var kinds = BroadcastChannels.Kinds.ToList();
        var channels = await db.Channels.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Id, c.Name, c.Kind, c.IsActive }).ToListAsync(ct);
        Channels = channels.Where(c => c.IsActive && kinds.Contains(c.Kind)).Select(c => new ChannelChoice(c.Id, c.Name, c.Kind)).ToList();
        var rebuttalChannels = ChannelIdList.Parse(claim.RebuttalChannelIds);
        if (rebuttalChannels.Count > 0)
        {
            var names = channels.ToDictionary(c => c.Id, c => c.Name);
            RebuttalStates = (await broadcaster.StatesAsync(claim.OrganisationId, claim.RebuttalReference, rebuttalChannels, ct))
                .Select(s => (names.GetValueOrDefault(s.ChannelId, $"channel {s.ChannelId}"), s)).ToList();
        }

        ReplyText ??= DefaultReply(claim);
        return true;
    }

    private string DefaultReply(RumourClaim claim) => claim.VerdictStatus switch
    {
        RumourStatus.False => $"Thanks for asking about this. It is not true. The facts: {MythsUrl}#claim-{claim.Id}",
        RumourStatus.Misleading => $"Thanks for asking about this. It is misleading. The facts: {MythsUrl}#claim-{claim.Id}",
        RumourStatus.True => $"Thanks for asking about this. It is true. More information: {MythsUrl}#claim-{claim.Id}",
        _ => $"Thanks for asking about this. What we know so far: {MythsUrl}#claim-{claim.Id}",
    };

    /// <summary>Sightings per day from the first to today, quiet days as zeros: a rising line says the rumour is spreading.</summary>
    public static ChartModel SightingsChart(IReadOnlyList<(DateOnly Day, int Count)> perDay, DateOnly today)
    {
        var counts = perDay.ToDictionary(p => p.Day, p => p.Count);
        var first = perDay.Count == 0 ? today : perDay[0].Day;
        var last = perDay.Count == 0 || perDay[^1].Day < today ? today : perDay[^1].Day;
        var days = new List<DateOnly>();
        for (var d = last.AddDays(-90) > first ? last.AddDays(-90) : first; d <= last; d = d.AddDays(1))
        {
            days.Add(d);
        }

        return new ChartModel
        {
            Id = "sightings-per-day", Title = "Sightings per day: is it spreading?", Kind = ChartKind.Bar, LabelHeading = "Day", TimeUnit = "day",
            Description = "Messages attached to this claim, by the day they were posted (UK time). Days with none show as 0.",
            Labels = [.. days.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))],
            Series = [new ChartSeries("Sightings", [.. days.Select(d => (double?)counts.GetValueOrDefault(d))])],
            HeadingLevel = 3,
        };
    }
}
