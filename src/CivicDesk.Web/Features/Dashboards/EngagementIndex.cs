using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

public sealed record IndexComponent(string Key, string Name, double Weight, string Measure, string Normalisation);

/// <summary>One component's value for a month, 0–100, or null when it cannot be measured (then it is left out and the weights rescale).</summary>
public sealed record ComponentScore(IndexComponent Component, double? Score, string Basis);

public sealed record MonthlyIndex(DateOnly Month, string Scope, double? Score, IReadOnlyList<ComponentScore> Components, int Conversations)
{
    /// <summary>Share of the full weight that was measured; below half, the score is not published.</summary>
    public double Coverage => Components.Where(c => c.Score is not null).Sum(c => c.Component.Weight);
}

/// <summary>
/// The CivicDesk Engagement Index (published in full on /dashboards/methods and in docs/dashboards.md). A weighted mean
/// of components each scaled 0–100; components that cannot be measured for a month (no target set, no audience data,
/// no participation feature) are left out and the remaining weights rescaled, and the page lists which were used.
/// A month with fewer than <see cref="MinimumConversations"/> conversations, or under half the weight measured, has no score.
/// </summary>
public sealed class EngagementIndex(CivicDeskDb db, SlaClock sla)
{
    public const int MinimumConversations = 20;
    /// <summary>Used for responsiveness when the organisation has set no first-response target: one working day.</summary>
    public const double FallbackTargetHours = 8;

    public static readonly IReadOnlyList<IndexComponent> Components =
    [
        new("responsiveness", "Responsiveness", 0.30,
            "Share of conversations opened in the month that got a first response within their first-response target (working hours).",
            "The share as a percentage: 100 when every one was answered in time."),
        new("two-way", "Two-way conversation", 0.20,
            "Replies sent divided by replies plus broadcast posts published in the month.",
            "The ratio as a percentage; 100 means the account only converses, 0 that it only broadcasts. Not measured until publishing records broadcasts."),
        new("resolution", "Resolution", 0.20,
            "Share of conversations opened in the month that were resolved or closed, with or without a case.",
            "The share as a percentage."),
        new("sentiment-after-reply", "Sentiment after a reply", 0.15,
            "For conversations with a classified inbound message both before and after the first reply: the mean change in sentiment (negative −1, neutral 0, positive +1).",
            "50 + 25 × mean change (which runs from −2 to +2), so 50 is no change and 100 every citizen moved from negative to positive. Needs at least 10 such conversations."),
        new("reach", "Reach and growth", 0.10,
            "Month-on-month growth in followers of the organisation's accounts.",
            "50 + 10 × growth in percent, limited to 0–100 (±5 % a month spans the scale). Not measured until audience figures are recorded."),
        new("participation", "Participation", 0.05,
            "Ideas, supports and comments on consultations per 1,000 inbound messages.",
            "Not measured until the participation features record them."),
    ];

    public async Task<IReadOnlyList<MonthlyIndex>> MonthsAsync(DateOnly lastMonth, int months, long? teamId, string scopeName, CancellationToken ct)
    {
        var calendar = await sla.CalendarAsync(ct);
        var policies = await sla.PoliciesAsync(ct);
        var list = new List<MonthlyIndex>();
        for (var i = months - 1; i >= 0; i--)
        {
            var month = new DateOnly(lastMonth.Year, lastMonth.Month, 1).AddMonths(-i);
            var (start, _) = AggregateTime.DayRange(month, calendar.Zone);
            var (_, end) = AggregateTime.DayRange(month.AddMonths(1).AddDays(-1), calendar.Zone);
            var conversations = await db.Conversations.AsNoTracking()
                .Where(c => c.CreatedAt >= start && c.CreatedAt < end && (teamId == null || c.AssignedTeamId == teamId))
                .Select(c => new { c.Id, c.AssignedTeamId, c.Category, c.Priority, c.CreatedAt, c.FirstResponseAt, c.ResolvedAt }).ToListAsync(ct);
            var scores = new List<ComponentScore>();

            // Responsiveness
            var answeredInTime = conversations.Count(c => c.FirstResponseAt is { } at
                && calendar.BusinessTimeBetween(c.CreatedAt, at).TotalHours <= (SlaPolicy.Choose(policies, c.AssignedTeamId, c.Category, c.Priority)?.FirstResponseHours ?? FallbackTargetHours));
            scores.Add(new ComponentScore(Components[0], conversations.Count == 0 ? null : 100.0 * answeredInTime / conversations.Count,
                $"{answeredInTime} of {conversations.Count} answered in time" + (policies.Count == 0 ? $" (no target set: {FallbackTargetHours} working hours used)" : "")));

            // Two-way: broadcasts are not recorded yet (publishing, issue 9), so this is not measured.
            scores.Add(new ComponentScore(Components[1], null, "broadcast posts are not recorded yet"));

            // Resolution
            var resolved = conversations.Count(c => c.ResolvedAt is not null);
            scores.Add(new ComponentScore(Components[2], conversations.Count == 0 ? null : 100.0 * resolved / conversations.Count, $"{resolved} of {conversations.Count} resolved"));

            // Sentiment after a reply
            var answeredIds = conversations.Where(c => c.FirstResponseAt is not null).Select(c => c.Id).ToList();
            var changes = new List<int>();
            foreach (var chunk in answeredIds.Chunk(500))
            {
                var messages = await db.Messages.AsNoTracking()
                    .Where(m => chunk.Contains(m.ConversationId) && m.Direction == MessageDirection.Inbound && m.Sentiment != null)
                    .Select(m => new { m.ConversationId, m.CreatedAt, m.Sentiment }).ToListAsync(ct);
                var firstReply = conversations.Where(c => chunk.Contains(c.Id)).ToDictionary(c => c.Id, c => c.FirstResponseAt!.Value);
                foreach (var g in messages.GroupBy(m => m.ConversationId))
                {
                    var reply = firstReply[g.Key];
                    var before = g.Where(m => m.CreatedAt < reply).OrderBy(m => m.CreatedAt).LastOrDefault();
                    var after = g.Where(m => m.CreatedAt > reply).OrderBy(m => m.CreatedAt).FirstOrDefault();
                    if (before is not null && after is not null)
                    {
                        changes.Add(Polarity(after.Sentiment) - Polarity(before.Sentiment));
                    }
                }
            }

            scores.Add(new ComponentScore(Components[3], changes.Count >= 10 ? Math.Clamp(50 + (25 * changes.Average()), 0, 100) : null,
                changes.Count >= 10 ? $"{changes.Count} conversations with sentiment before and after the first reply" : $"only {changes.Count} conversations with sentiment before and after a reply (10 needed)"));
            scores.Add(new ComponentScore(Components[4], null, "audience figures are not recorded yet"));
            scores.Add(new ComponentScore(Components[5], null, "participation is not recorded yet"));

            list.Add(new MonthlyIndex(month, scopeName, Combine(scores, conversations.Count), scores, conversations.Count));
        }

        return list;
    }

    /// <summary>Weighted mean over measured components, or null when too little is measured.</summary>
    public static double? Combine(IReadOnlyList<ComponentScore> scores, int conversations)
    {
        var measured = scores.Where(s => s.Score is not null).ToList();
        var weight = measured.Sum(s => s.Component.Weight);
        if (conversations < MinimumConversations || weight < 0.5)
        {
            return null;
        }

        return measured.Sum(s => s.Component.Weight * s.Score!.Value) / weight;
    }

    private static int Polarity(string? sentiment) => sentiment switch { "positive" => 1, "negative" => -1, _ => 0 };
}
