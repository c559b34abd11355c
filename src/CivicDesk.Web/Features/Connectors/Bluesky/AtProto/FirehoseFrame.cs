using System.Globalization;
using System.Text.Json;

namespace CivicDesk.Web.Features.Connectors.Bluesky.AtProto;

/// <summary>One repo operation of a firehose commit, with the post record when it is an app.bsky.feed.post create/update.</summary>
public sealed record FirehoseOp(string Did, long Seq, DateTime Time, string Action, string Collection, string RecordKey, Cid? Cid, PostRecord? Post);

/// <summary>
/// A com.atproto.sync.subscribeRepos frame (atproto.com/specs/event-stream): two DAG-CBOR items back to back, a
/// header {op: 1, t: "#commit" | "#identity" | "#account" | …} (op -1 is an error frame) and the body. A #commit
/// body carries repo, seq, time, ops [{action, path, cid}] and <c>blocks</c>, a CAR slice holding the new records.
/// </summary>
public static class FirehoseFrame
{
    public static (long Op, string? Type, Dictionary<string, object?> Body) Read(ReadOnlySpan<byte> frame)
    {
        if (DagCbor.Decode(frame, out var headerLength) is not Dictionary<string, object?> header || header.GetValueOrDefault("op") is not long op)
        {
            throw new CborException("frame header is not {op, t}");
        }

        if (DagCbor.DecodeAll(frame[headerLength..]) is not Dictionary<string, object?> body)
        {
            throw new CborException("frame body is not a map");
        }

        return (op, header.GetValueOrDefault("t") as string, body);
    }

    /// <summary>The operations of a #commit frame (none for other frame types).</summary>
    public static IReadOnlyList<FirehoseOp> Ops(ReadOnlyMemory<byte> frame)
    {
        var (op, type, body) = Read(frame.Span);
        if (op != 1 || type != "#commit")
        {
            return [];
        }

        var did = body.GetValueOrDefault("repo") as string ?? throw new CborException("commit without repo");
        var seq = body.GetValueOrDefault("seq") as long? ?? 0;
        var time = DateTime.TryParse(body.GetValueOrDefault("time") as string, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : DateTime.UnixEpoch;
        Dictionary<Cid, ReadOnlyMemory<byte>>? blocks = null;
        var ops = new List<FirehoseOp>();
        foreach (var item in body.GetValueOrDefault("ops") as List<object?> ?? [])
        {
            if (item is not Dictionary<string, object?> o || o.GetValueOrDefault("action") is not string action || o.GetValueOrDefault("path") is not string path)
            {
                throw new CborException("commit op without action or path");
            }

            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0)
            {
                throw new CborException("op path is not collection/rkey");
            }

            var collection = path[..slash];
            var cid = o.GetValueOrDefault("cid") as Cid;
            PostRecord? post = null;
            if (collection == BlueskyPosts.PostCollection && action is "create" or "update" && cid is not null)
            {
                blocks ??= CarReader.Read(body.GetValueOrDefault("blocks") as byte[] ?? []).Blocks.ToDictionary(b => b.Cid, b => b.Data);
                if (blocks.TryGetValue(cid, out var block))
                {
                    post = DagCbor.ToJson(DagCbor.DecodeAll(block.Span)).Deserialize(BlueskyJsonContext.Default.PostRecord);
                }
            }

            ops.Add(new FirehoseOp(did, seq, time, action, collection, path[(slash + 1)..], cid, post));
        }

        return ops;
    }
}
