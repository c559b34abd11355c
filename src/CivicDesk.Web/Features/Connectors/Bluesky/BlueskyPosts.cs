using System.Globalization;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>Maps an app.bsky.feed.post record (from Jetstream, a PDS or the firehose) to CivicDesk's inbound post.</summary>
public static class BlueskyPosts
{
    public const string PostCollection = "app.bsky.feed.post";

    public static DateTime FromMicroseconds(long timeUs) => DateTime.UnixEpoch.AddTicks(timeUs * 10);

    /// <param name="did">The author's DID (the repo).</param>
    /// <param name="rkey">The record key; with the DID it makes the at:// URI used as external id.</param>
    /// <param name="post">The record.</param>
    /// <param name="seenAt">When the network reported it (used when createdAt is missing or unreadable).</param>
    /// <param name="handle">The author's handle when known (PDS mode); Jetstream only carries the DID.</param>
    /// <param name="raw">The raw event, kept for support.</param>
    public static InboundPost ToInbound(string did, string rkey, PostRecord post, DateTime seenAt, string? handle = null, string? raw = null)
    {
        var createdAt = DateTime.TryParse(post.CreatedAt, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : seenAt;
        var attachments = Attachments(did, post.Embed);
        return new InboundPost(
            ExternalId: $"at://{did}/{PostCollection}/{rkey}",
            Text: post.Text ?? "",
            AuthorHandle: handle ?? did,
            AuthorName: null,
            CreatedAt: createdAt,
            InReplyTo: post.Reply?.Parent?.Uri,
            Language: post.Langs is { Count: > 0 } langs ? langs[0] : null,
            Attachments: attachments.Count > 0 ? attachments : null,
            RawPayload: raw);
    }

    /// <summary>The public web address of a post.</summary>
    public static string WebUrl(string handleOrDid, string rkey) => $"https://bsky.app/profile/{handleOrDid}/post/{rkey}";

    /// <summary>Images (alt text as the name, CDN address), video, the external link card and a quoted post.</summary>
    private static List<AttachmentInfo> Attachments(string did, Embed? embed)
    {
        var list = new List<AttachmentInfo>();
        Add(did, embed, list);
        return list;
    }

    private static void Add(string did, Embed? embed, List<AttachmentInfo> list)
    {
        if (embed is null)
        {
            return;
        }

        foreach (var image in embed.Images ?? [])
        {
            var cid = image.Image?.Ref?.Link;
            list.Add(new AttachmentInfo(
                FileName: string.IsNullOrWhiteSpace(image.Alt) ? "image" : image.Alt,
                ContentType: image.Image?.MimeType ?? "image/jpeg",
                Length: image.Image?.Size ?? 0,
                StoredPath: null,
                Url: cid is null ? null : $"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg"));
        }

        if (embed.Video is { } video)
        {
            list.Add(new AttachmentInfo(string.IsNullOrWhiteSpace(embed.Alt) ? "video" : embed.Alt, video.MimeType ?? "video/mp4", video.Size, null,
                video.Ref?.Link is { } v ? $"https://video.bsky.app/watch/{did}/{v}/playlist.m3u8" : null));
        }

        if (embed.External is { Uri: { } link } external)
        {
            list.Add(new AttachmentInfo(string.IsNullOrWhiteSpace(external.Title) ? link : external.Title, "text/html", 0, null, link));
        }

        var quoted = embed.Record?.Record?.Uri ?? embed.Record?.Uri;
        if (quoted is not null && AtProto.AtSyntax.TryParseAtUri(quoted, out var q) && q.RecordKey is not null)
        {
            list.Add(new AttachmentInfo("quoted post", "application/vnd.bsky.post", 0, null, WebUrl(q.Authority, q.RecordKey)));
        }

        Add(did, embed.Media, list);
    }
}
