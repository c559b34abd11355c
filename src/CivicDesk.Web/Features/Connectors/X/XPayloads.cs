using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;

namespace CivicDesk.Web.Features.Connectors.X;

public sealed class XPayloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What one response or stream line means to the connector.</summary>
/// <param name="Posts">New posts, each with the rules it matched (filtered stream only).</param>
/// <param name="Edits">Edited posts: the id first stored (the head of <c>edit_history_tweet_ids</c>) and the new version.</param>
/// <param name="Deletions">Compliance deletions: post id and when.</param>
/// <param name="Problems">Errors the server put in the body (partial errors, or a stream's operational disconnect).</param>
/// <param name="Meta">Search paging: newest id, next token.</param>
public sealed record XBatch(
    IReadOnlyList<XPost> Posts,
    IReadOnlyList<(string OriginalId, XPost Edit)> Edits,
    IReadOnlyList<(string Id, DateTime? At)> Deletions,
    IReadOnlyList<XProblem> Problems,
    XMeta? Meta);

public sealed record XPost(XTweet Tweet, XUser? Author, IReadOnlyList<XMatchingRule> MatchingRules, InboundPost Post);

/// <summary>Reads X API v2 JSON (filtered-stream lines, search pages, lookups) and maps posts to <see cref="InboundPost"/>.</summary>
public static partial class XPayloads
{
    public static XBatch Read(string json) => Read(Encoding.UTF8.GetBytes(json));

    /// <summary>Throws <see cref="XPayloadException"/> (naming a position or id, never text) when the payload cannot be read.</summary>
    public static XBatch Read(ReadOnlySpan<byte> utf8)
    {
        XResponse response;
        try
        {
            response = JsonSerializer.Deserialize(utf8, XJson.Default.XResponse) ?? throw new XPayloadException("null payload");
        }
        catch (JsonException e)
        {
            throw new XPayloadException($"invalid JSON at byte {e.BytePositionInLine}", e);
        }

        var posts = new List<XPost>();
        var edits = new List<(string, XPost)>();
        var deletions = new List<(string, DateTime?)>();
        var rules = response.MatchingRules ?? [];
        foreach (var tweet in response.Data ?? [])
        {
            if (tweet.Delete is { } delete)
            {
                var id = delete.Tweet?.Id;
                if (string.IsNullOrEmpty(id))
                {
                    throw new XPayloadException("compliance delete without a post id");
                }

                deletions.Add((id, delete.EventAt));
                continue;
            }

            if (string.IsNullOrEmpty(tweet.Id) || !tweet.Id.All(char.IsAsciiDigit))
            {
                throw new XPayloadException("post without a numeric id");
            }

            if (tweet.Text is null && tweet.NoteTweet?.Text is null)
            {
                throw new XPayloadException($"post {tweet.Id} without text");
            }

            var author = tweet.AuthorId is null ? null : response.Includes?.Users?.FirstOrDefault(u => u.Id == tweet.AuthorId);
            var post = new XPost(tweet, author, rules, ToInboundPost(tweet, author, rules, response.Includes));
            // An edit is a new post whose history starts with the post first published (X docs, "Edit Posts").
            if (tweet.EditHistoryTweetIds is { Count: > 1 } history && history[0] != tweet.Id)
            {
                edits.Add((history[0], post));
            }
            else
            {
                posts.Add(post);
            }
        }

        var problems = new List<XProblem>(response.Errors ?? []);
        if (response.Data is null && response.Errors is null && (response.Title ?? response.Detail) is not null)
        {
            problems.Add(new XProblem(response.Title, response.Detail, response.Type, response.Reason, null, null));
        }

        return new XBatch(posts, edits, deletions, problems, response.Meta);
    }

    /// <summary>
    /// The text staff and triage read: the full text of long posts, HTML entities decoded (v2 escapes &amp;, &lt;
    /// and &gt;), t.co links replaced by where they lead, then each photo's alt text.
    /// </summary>
    public static string PostText(XTweet tweet, XIncludes? includes)
    {
        var text = tweet.NoteTweet?.Text ?? tweet.Text ?? string.Empty;
        foreach (var url in tweet.Entities?.Urls ?? [])
        {
            var target = url.UnwoundUrl ?? url.ExpandedUrl;
            if (!string.IsNullOrEmpty(target) && url.Url.Length > 0)
            {
                text = text.Replace(url.Url, target, StringComparison.Ordinal);
            }
        }

        text = WebUtility.HtmlDecode(text);
        var media = tweet.Attachments?.MediaKeys is { Count: > 0 } keys && includes?.Media is { } all
            ? keys.Select(k => all.FirstOrDefault(m => m.MediaKey == k)).Where(m => !string.IsNullOrWhiteSpace(m?.AltText)).ToList()
            : [];
        return media.Count == 0 ? text : text + string.Concat(media.Select(m => $"\n\n[{m!.Type ?? "media"}: {m.AltText!.Trim()}]"));
    }

    public static InboundPost ToInboundPost(XTweet tweet, XUser? author, IReadOnlyList<XMatchingRule> rules, XIncludes? includes)
    {
        var place = tweet.Geo?.PlaceId is { } placeId ? includes?.Places?.FirstOrDefault(p => p.Id == placeId) : null;
        // A place is a bounding box (a city, a venue); its centre is the best point the post offers.
        var box = place?.Geo?.Bbox;
        double? latitude = box is { Count: 4 } ? (box[1] + box[3]) / 2 : null;
        double? longitude = box is { Count: 4 } ? (box[0] + box[2]) / 2 : null;
        var media = tweet.Attachments?.MediaKeys is { Count: > 0 } keys && includes?.Media is { } all
            ? keys.Select(k => all.FirstOrDefault(m => m.MediaKey == k)).Where(m => m?.Url is not null || m?.PreviewImageUrl is not null)
                .Select(m => new AttachmentInfo(m!.MediaKey, m.Type == "photo" ? "image/*" : "video/mp4", 0, null, m.Url ?? m.PreviewImageUrl)).ToList()
            : null;
        return new InboundPost(
            ExternalId: tweet.Id,
            Text: PostText(tweet, includes),
            AuthorHandle: author?.Username is { Length: > 0 } username ? "@" + username : "x:" + (tweet.AuthorId ?? "unknown"),
            AuthorName: author?.Name,
            CreatedAt: tweet.CreatedAt,
            InReplyTo: tweet.ReferencedTweets?.FirstOrDefault(r => r.Type == "replied_to")?.Id,
            Latitude: latitude,
            Longitude: longitude,
            Language: tweet.Lang is null or "und" ? null : tweet.Lang,
            Attachments: media is { Count: > 0 } ? media : null,
            RawPayload: JsonSerializer.Serialize(new XStoredPost(tweet, author, rules.Count > 0 ? rules : null), XJson.Default.XStoredPost));
    }

    /// <summary>The first <c>"id":"…"</c> of a payload that did not parse, to log which post was lost; never its text.</summary>
    public static string? GuessId(string payload)
    {
        var match = IdPattern().Match(payload.Length > 4096 ? payload[..4096] : payload);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"""id""\s*:\s*""(\d{1,25})""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IdPattern();

    /// <summary>X ids are 64-bit snowflakes; compare numerically (as strings, so a longer id is newer).</summary>
    public static int CompareIds(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }

    public static string? NewestId(string? a, string? b) => CompareIds(a, b) >= 0 ? a : b;
}
