using System.Globalization;
using CivicDesk.Triage.Duplicates;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Rumours;

/// <summary>A message that may repeat the claim, with the reason in words.</summary>
public sealed record SightingSuggestion(long MessageId, long ConversationId, string Reference, string Channel, string AuthorHandle, string Text,
    DateTime CreatedAt, double Similarity, string Reason);

/// <summary>
/// Suggests sightings: inbound messages since shortly before the claim was first seen whose words are like the
/// claim's (the duplicate detector's TF-IDF cosine, IDF from the same messages so common words weigh little), with a
/// lower bar for messages triage already called a rumour. Messages attached or dismissed before are not suggested.
/// </summary>
public sealed class RumourSuggestions(CivicDeskDb db, IOptions<RumourOptions> options)
{
    public async Task<IReadOnlyList<SightingSuggestion>> ForAsync(RumourClaim claim, int max, CancellationToken ct)
    {
        var o = options.Value;
        var from = claim.FirstSeenAt - o.LookBack;
        var known = await db.RumourSightings.Where(s => s.ClaimId == claim.Id).Select(s => s.MessageId).ToListAsync(ct);
        var knownSet = known.ToHashSet();
        var rows = await db.Messages.AsNoTracking()
            .Where(m => m.Direction == MessageDirection.Inbound && m.CreatedAt >= from)
            .OrderByDescending(m => m.CreatedAt).Take(o.MaxMessagesScanned)
            .Join(db.Conversations, m => m.ConversationId, c => c.Id, (m, c) => new { m, c.Reference })
            .Join(db.Channels, x => x.m.ChannelId, ch => ch.Id, (x, ch) => new
            {
                x.m.Id, x.m.ConversationId, x.Reference, Channel = ch.Name, x.m.AuthorHandle, x.m.Text, x.m.CreatedAt, x.m.Kind,
            })
            .ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var corpus = TermStatistics.Build(rows.Select(r => r.Text).Append(claim.Statement));
        var claimVector = corpus.Vector(claim.Statement);
        var found = new List<SightingSuggestion>();
        foreach (var r in rows)
        {
            if (knownSet.Contains(r.Id))
            {
                continue;
            }

            var vector = corpus.Vector(r.Text);
            var similarity = TermVector.Cosine(claimVector, vector);
            var isRumour = string.Equals(r.Kind, "rumour", StringComparison.Ordinal);
            if (similarity < o.SimilarityThreshold && !(isRumour && similarity >= o.RumourKindThreshold && similarity > 0))
            {
                continue;
            }

            var shared = TermVector.TopShared(claimVector, vector, 3).Where(t => !t.Contains('_', StringComparison.Ordinal)).ToList();
            var words = shared.Count == 0 ? "" : "; shared words: " + string.Join(", ", shared.Select(t => $"“{t}”"));
            var reason = (isRumour ? "triage kind rumour; " : "") + string.Create(CultureInfo.GetCultureInfo("en-GB"), $"{similarity:P0} similar to the claim") + words;
            found.Add(new SightingSuggestion(r.Id, r.ConversationId, r.Reference, r.Channel, r.AuthorHandle, r.Text, r.CreatedAt, similarity, reason));
        }

        return found.OrderByDescending(s => s.Similarity + (s.Reason.StartsWith("triage", StringComparison.Ordinal) ? 0.1 : 0)).Take(max).ToList();
    }
}
