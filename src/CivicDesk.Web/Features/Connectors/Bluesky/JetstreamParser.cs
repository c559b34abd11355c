using System.Text.Json;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

public enum JetstreamKind
{
    Other,
    Commit,
    Identity,
    Account,
}

public enum CommitOperation
{
    None,
    Create,
    Update,
    Delete,
}

/// <summary>
/// One Jetstream event, reduced to what CivicDesk uses. <see cref="Post"/> is set only for an app.bsky.feed.post
/// create or update that the filter may want; <see cref="Dropped"/> says the filter already ruled it out.
/// </summary>
public sealed record JetstreamEvent(
    JetstreamKind Kind,
    string Did,
    long TimeUs,
    CommitOperation Operation,
    string? Collection,
    string? RecordKey,
    string? Cid,
    PostRecord? Post,
    bool Dropped)
{
    public bool IsPost => Collection == BlueskyPosts.PostCollection;

    public string Uri => $"at://{Did}/{Collection}/{RecordKey}";

    public DateTime Time => BlueskyPosts.FromMicroseconds(TimeUs);
}

/// <summary>
/// Reads Jetstream v1 JSON events (github.com/bluesky-social/jetstream: {did, time_us, kind, commit|identity|account})
/// with one forward pass of <see cref="Utf8JsonReader"/>. The post record is deserialised only for post commits that
/// pass the filter's raw-byte check, so the cost for the likes, reposts and follows that make up most of the stream
/// is one tokenisation.
/// </summary>
public static class JetstreamParser
{
    /// <summary>Parses one event; false with a short problem (never the payload's text) when it is malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, BlueskyFilter? filter, out JetstreamEvent? evt, out string problem)
    {
        evt = null;
        problem = "";
        try
        {
            return Parse(json, filter, out evt, out problem);
        }
        catch (JsonException ex)
        {
            problem = $"invalid JSON at byte {ex.BytePositionInLine}";
            return false;
        }
        catch (InvalidOperationException)
        {
            problem = "unexpected JSON token type";
            return false;
        }
    }

    private static bool Parse(ReadOnlySpan<byte> json, BlueskyFilter? filter, out JetstreamEvent? evt, out string problem)
    {
        evt = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            problem = "not a JSON object";
            return false;
        }

        string? did = null, kindText = null, operation = null, collection = null, rkey = null, cid = null;
        long? timeUs = null;
        var recordAt = default(Utf8JsonReader);
        var hasRecord = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("did"u8)) { reader.Read(); did = reader.GetString(); }
            else if (reader.ValueTextEquals("time_us"u8))
            {
                // TryGetInt64: a number outside 64 bits (or with a fraction) is bad input, not a FormatException (found by fuzzing).
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var micros))
                {
                    problem = "time_us is not a 64-bit whole number";
                    return false;
                }

                timeUs = micros;
            }
            else if (reader.ValueTextEquals("kind"u8)) { reader.Read(); kindText = reader.GetString(); }
            else if (reader.ValueTextEquals("commit"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    problem = "commit is not an object";
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("operation"u8)) { reader.Read(); operation = reader.GetString(); }
                    else if (reader.ValueTextEquals("collection"u8)) { reader.Read(); collection = reader.GetString(); }
                    else if (reader.ValueTextEquals("rkey"u8)) { reader.Read(); rkey = reader.GetString(); }
                    else if (reader.ValueTextEquals("cid"u8)) { reader.Read(); cid = reader.GetString(); }
                    else if (reader.ValueTextEquals("record"u8))
                    {
                        reader.Read();
                        hasRecord = true;
                        recordAt = reader; // a copy: deserialised later only if this turns out to be a wanted post
                        reader.Skip();
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (reader.TokenType != JsonTokenType.EndObject)
                {
                    problem = "commit object not closed";
                    return false;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            problem = "event object not closed";
            return false;
        }

        if (did is null || timeUs is null || kindText is null)
        {
            problem = "did, time_us or kind missing";
            return false;
        }

        var kind = kindText switch
        {
            "commit" => JetstreamKind.Commit,
            "identity" => JetstreamKind.Identity,
            "account" => JetstreamKind.Account,
            _ => JetstreamKind.Other,
        };
        var op = operation switch
        {
            "create" => CommitOperation.Create,
            "update" => CommitOperation.Update,
            "delete" => CommitOperation.Delete,
            _ => CommitOperation.None,
        };
        if (kind == JetstreamKind.Commit && (op == CommitOperation.None || collection is null || rkey is null))
        {
            problem = "commit without operation, collection or rkey";
            return false;
        }

        PostRecord? post = null;
        var dropped = false;
        if (kind == JetstreamKind.Commit && op is CommitOperation.Create or CommitOperation.Update && collection == BlueskyPosts.PostCollection)
        {
            if (!hasRecord)
            {
                problem = "post commit without record";
                return false;
            }

            // Updates pass unfiltered: a stored post edited so that it no longer matches must still be updated.
            if (op == CommitOperation.Create && filter is not null && !filter.MayMatch(json, did))
            {
                dropped = true;
            }
            else
            {
                var recordReader = recordAt;
                post = JsonSerializer.Deserialize(ref recordReader, BlueskyJsonContext.Default.PostRecord);
                if (post is null)
                {
                    problem = "post record is null";
                    return false;
                }

                if (op == CommitOperation.Create && filter is not null && !filter.Matches(did, post))
                {
                    post = null;
                    dropped = true;
                }
            }
        }

        problem = "";
        evt = new JetstreamEvent(kind, did, timeUs.Value, op, collection, rkey, cid, post, dropped);
        return true;
    }
}
