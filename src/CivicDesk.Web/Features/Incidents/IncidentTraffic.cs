using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>An inbound message that belongs to an incident, and why.</summary>
public sealed record IncidentMessage(
    long MessageId,
    long ConversationId,
    string Reference,
    long ChannelId,
    string Channel,
    string AuthorHandle,
    string Text,
    DateTime CreatedAt,
    string Reason,
    TimeSpan? ResponseTime);

/// <summary>Messages in one 15-minute interval (starting at <paramref name="Start"/>, UTC).</summary>
public sealed record VolumeBucket(DateTime Start, int Count);

public sealed record ResponseTimes(int Answered, int Unanswered, TimeSpan? Median, TimeSpan? Ninetieth);

/// <summary>Everything the staff view and the report need about an incident's inbound traffic.</summary>
public sealed record IncidentTrafficView(
    IReadOnlyList<IncidentMessage> Messages,
    IReadOnlyList<VolumeBucket> Volumes,
    ResponseTimes Responses,
    IReadOnlyDictionary<string, int> ByChannel,
    bool Truncated);

/// <summary>
/// Finds the inbound messages of an incident: posted from inside its area (a geotag or a pinned report) or mentioning
/// one of its keywords as a whole word, from <see cref="IncidentOptions.LookBack"/> before the declaration until the
/// stand-down. The area test is exact (NetTopologySuite / great-circle) after a bounding-box pre-filter in memory.
/// </summary>
public sealed class IncidentTraffic(CivicDeskDb db, IOptions<IncidentOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    public async Task<IncidentTrafficView> ForAsync(Incident incident, CancellationToken ct)
    {
        var o = options.Value;
        var from = incident.DeclaredAt - o.LookBack;
        var until = incident.StoodDownAt ?? clock.GetUtcNow().UtcDateTime;
        var rows = await db.Messages.AsNoTracking()
            .Where(m => m.Direction == MessageDirection.Inbound && m.CreatedAt >= from && m.CreatedAt <= until)
            .OrderByDescending(m => m.CreatedAt)
            .Take(o.MaxMessagesScanned + 1)
            .Join(db.Conversations, m => m.ConversationId, c => c.Id, (m, c) => new { m, c.Reference })
            .Join(db.Channels, x => x.m.ChannelId, ch => ch.Id, (x, ch) => new
            {
                x.m.Id, x.m.ConversationId, x.Reference, x.m.ChannelId, Channel = ch.Name, x.m.AuthorHandle, x.m.Text, x.m.CreatedAt,
                x.m.Latitude, x.m.Longitude,
            })
            .ToListAsync(ct);
        var truncated = rows.Count > o.MaxMessagesScanned;
        if (truncated)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var area = IncidentArea.From(incident);
        var bounds = area?.Bounds;
        var keywords = KeywordPattern(incident.KeywordList());
        var found = new List<(long Id, long ConversationId, string Reference, long ChannelId, string Channel, string Author, string Text, DateTime CreatedAt, string Reason)>();
        foreach (var r in rows)
        {
            string? reason = null;
            if (area is not null && r.Latitude is { } lat && r.Longitude is { } lon
                && lat >= bounds!.Value.MinLat && lat <= bounds.Value.MaxLat && lon >= bounds.Value.MinLon && lon <= bounds.Value.MaxLon
                && area.Contains(lat, lon))
            {
                reason = "inside the area";
            }

            if (keywords is not null && keywords.Match(r.Text) is { Success: true } m)
            {
                reason = reason is null ? $"mentions “{m.Value}”" : $"{reason}; mentions “{m.Value}”";
            }

            if (reason is not null)
            {
                found.Add((r.Id, r.ConversationId, r.Reference, r.ChannelId, r.Channel, r.AuthorHandle, r.Text, r.CreatedAt, reason));
            }
        }

        // Response time: from each message to the first reply in its conversation after it.
        var conversationIds = found.Select(f => f.ConversationId).Distinct().ToList();
        var replies = new Dictionary<long, List<DateTime>>();
        foreach (var chunk in conversationIds.Chunk(500))
        {
            var list = chunk.ToList();
            var outbound = await db.Messages.AsNoTracking()
                .Where(m => m.Direction == MessageDirection.Outbound && list.Contains(m.ConversationId) && m.CreatedAt >= from)
                .Select(m => new { m.ConversationId, m.CreatedAt }).ToListAsync(ct);
            foreach (var g in outbound.GroupBy(x => x.ConversationId))
            {
                replies[g.Key] = g.Select(x => x.CreatedAt).Order().ToList();
            }
        }

        var messages = found.Select(f =>
        {
            TimeSpan? response = replies.TryGetValue(f.ConversationId, out var times) && times.Find(t => t >= f.CreatedAt) is var t && t != default
                ? t - f.CreatedAt : null;
            return new IncidentMessage(f.Id, f.ConversationId, f.Reference, f.ChannelId, f.Channel, f.Author, f.Text, f.CreatedAt, f.Reason, response);
        }).ToList();

        return new IncidentTrafficView(messages, Volumes(messages.Select(m => m.CreatedAt), from, until), Responses(messages),
            messages.GroupBy(m => m.Channel).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()), truncated);
    }

    /// <summary>Counts per 15-minute interval from <paramref name="from"/> to <paramref name="until"/>, empty intervals included.</summary>
    public static IReadOnlyList<VolumeBucket> Volumes(IEnumerable<DateTime> times, DateTime from, DateTime until)
    {
        var start = Floor(from);
        var counts = times.GroupBy(Floor).ToDictionary(g => g.Key, g => g.Count());
        var buckets = new List<VolumeBucket>();
        for (var t = start; t <= until; t += Interval)
        {
            buckets.Add(new VolumeBucket(t, counts.GetValueOrDefault(t)));
        }

        return buckets;
    }

    public static ResponseTimes Responses(IReadOnlyCollection<IncidentMessage> messages)
    {
        var answered = messages.Where(m => m.ResponseTime is not null).Select(m => m.ResponseTime!.Value).Order().ToList();
        return new ResponseTimes(answered.Count, messages.Count - answered.Count, Percentile(answered, 0.5), Percentile(answered, 0.9));
    }

    private static TimeSpan? Percentile(List<TimeSpan> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }

        // Nearest-rank percentile: an observed value, easy to explain in a report.
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static DateTime Floor(DateTime t) => new(t.Ticks - (t.Ticks % Interval.Ticks), DateTimeKind.Utc);

    /// <summary>One case-insensitive whole-word pattern for all keywords; null when there are none.</summary>
    private static Regex? KeywordPattern(IReadOnlyList<string> keywords) => keywords.Count == 0
        ? null
        : new Regex(@"(?<![\p{L}\p{N}])(?:" + string.Join('|', keywords.OrderByDescending(k => k.Length).Select(Regex.Escape)) + @")(?![\p{L}\p{N}])",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
