using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.Bluesky;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>
/// Bluesky: each image through <c>com.atproto.repo.uploadBlob</c>, then <c>com.atproto.repo.createRecord</c> of an
/// <c>app.bsky.feed.post</c> with <c>app.bsky.embed.images</c> (alt text per image) and link facets. The record key is
/// ours and deterministic (a TID derived from the delivery), so the post has one address whatever happens: before
/// creating a part we read that address back (<c>getRecord</c>), and a second create of the same key is refused by
/// the repository. A crash can therefore never leave two copies.
/// </summary>
public sealed class BlueskyPublisher(TimeProvider clock) : INetworkPublisher
{
    private readonly ConcurrentDictionary<long, XrpcSession> _sessions = new();

    public ChannelKind Kind => ChannelKind.Bluesky;

    public async Task<PublishResult> PublishAsync(PublishJob job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        var settings = BlueskySettings.From(job.Connector);
        if (settings.Handle is null || !job.Connector.Secrets.TryGetValue("AppPassword", out var password) || string.IsNullOrEmpty(password))
        {
            return PublishResult.Refused("the Bluesky handle or app password is not set: an administrator must configure it under Connectors");
        }

        var xrpc = new XrpcClient(job.Connector.Http, settings.ServiceUrl ?? BlueskySettings.DefaultService);
        try
        {
            return await PublishPartsAsync(job, xrpc, settings, password, retryOnExpiry: true, ct);
        }
        catch (XrpcException ex) when (ex.Status == HttpStatusCode.TooManyRequests)
        {
            return PublishResult.Transient($"Bluesky is rate limiting: {ex.Error}", ambiguous: false, clock.GetUtcNow().AddMinutes(1));
        }
        catch (XrpcException ex) when ((int)ex.Status >= 500)
        {
            return PublishResult.Transient($"Bluesky had an error ({(int)ex.Status}): {ex.ServerMessage ?? ex.Error}", ambiguous: true);
        }
        catch (XrpcException ex) when (ex.Error is "AuthenticationRequired" or "AccountTakedown" or "AuthFactorTokenRequired" || ex.Status == HttpStatusCode.Unauthorized)
        {
            _sessions.TryRemove(job.Connector.Channel.Id, out _);
            return PublishResult.Refused($"Bluesky refused the account's app password ({ex.Error}); an administrator must renew it under Connectors");
        }
        catch (XrpcException ex)
        {
            return PublishResult.Refused($"Bluesky refused the post ({(int)ex.Status} {ex.Error}): {ex.ServerMessage}");
        }
    }

    private async Task<PublishResult> PublishPartsAsync(PublishJob job, XrpcClient xrpc, BlueskySettings settings, string password, bool retryOnExpiry, CancellationToken ct)
    {
        var session = await SessionAsync(xrpc, job.Connector.Channel.Id, settings.Handle!, password, ct);
        try
        {
            var posted = job.Posted.ToDictionary(p => p.Index);
            for (var i = 0; i < job.Parts.Count; i++)
            {
                if (posted.ContainsKey(i))
                {
                    continue;
                }

                var rkey = RecordKey(job.CreatedAt, job.DeliveryId, i);
                var part = await ExistingAsync(xrpc, session, rkey, i, ct);
                if (part is null)
                {
                    var record = new JsonObject
                    {
                        ["$type"] = BlueskyPosts.PostCollection,
                        ["text"] = job.Parts[i],
                        ["createdAt"] = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                        ["langs"] = new JsonArray(settings.ReplyLanguage),
                    };
                    var facets = new JsonArray();
                    foreach (var f in BlueskyRichText.Detect(job.Parts[i]).Where(f => !f.IsMention))
                    {
                        facets.Add(new JsonObject
                        {
                            ["index"] = new JsonObject { ["byteStart"] = f.ByteStart, ["byteEnd"] = f.ByteEnd },
                            ["features"] = new JsonArray(new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = f.Value }),
                        });
                    }

                    if (facets.Count > 0)
                    {
                        record["facets"] = facets;
                    }

                    if (i == 0 && job.Images.Count > 0)
                    {
                        var images = new JsonArray();
                        foreach (var image in job.Images)
                        {
                            var blob = await xrpc.UploadBlobAsync(image.Data, image.ContentType, session.AccessJwt, ct);
                            images.Add(new JsonObject { ["alt"] = image.AltText, ["image"] = blob["blob"]?.DeepClone() });
                        }

                        record["embed"] = new JsonObject { ["$type"] = "app.bsky.embed.images", ["images"] = images };
                    }

                    if (i > 0)
                    {
                        var root = posted[0];
                        var parent = posted[i - 1];
                        record["reply"] = new JsonObject
                        {
                            ["root"] = new JsonObject { ["uri"] = root.RemoteId, ["cid"] = root.Cid },
                            ["parent"] = new JsonObject { ["uri"] = parent.RemoteId, ["cid"] = parent.Cid },
                        };
                    }

                    try
                    {
                        var created = await xrpc.ProcedureAsync("com.atproto.repo.createRecord", new JsonObject
                        {
                            ["repo"] = session.Did, ["collection"] = BlueskyPosts.PostCollection, ["rkey"] = rkey, ["record"] = record,
                        }, session.AccessJwt, ct);
                        part = new PostedPart(i, created["uri"]!.GetValue<string>(), BlueskyPosts.WebUrl(session.Handle, rkey), created["cid"]?.GetValue<string>());
                    }
                    catch (XrpcException ex) when (ex.Status == HttpStatusCode.BadRequest && (ex.ServerMessage?.Contains("exist", StringComparison.OrdinalIgnoreCase) == true))
                    {
                        // Another attempt created it between our read and our write: that copy is the one.
                        var again = await ExistingAsync(xrpc, session, rkey, i, ct);
                        if (again is null)
                        {
                            throw;
                        }

                        part = again;
                    }
                }

                await job.RecordPartAsync(part, ct);
                posted[i] = part;
            }

            return PublishResult.Success(posted[0]);
        }
        catch (XrpcException ex) when (retryOnExpiry && ex.Error is "ExpiredToken" or "InvalidToken")
        {
            _sessions.TryRemove(job.Connector.Channel.Id, out _);
            return await PublishPartsAsync(job, xrpc, settings, password, retryOnExpiry: false, ct);
        }
    }

    private static async Task<PostedPart?> ExistingAsync(XrpcClient xrpc, XrpcSession session, string rkey, int index, CancellationToken ct)
    {
        try
        {
            var found = await xrpc.QueryAsync("com.atproto.repo.getRecord",
                [new("repo", session.Did), new("collection", BlueskyPosts.PostCollection), new("rkey", rkey)], session.AccessJwt, ct);
            return found["uri"] is null ? null : new PostedPart(index, found["uri"]!.GetValue<string>(), BlueskyPosts.WebUrl(session.Handle, rkey), found["cid"]?.GetValue<string>());
        }
        catch (XrpcException ex) when (ex.Error == "RecordNotFound" || ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<XrpcSession> SessionAsync(XrpcClient xrpc, long channelId, string handle, string password, CancellationToken ct)
    {
        if (_sessions.TryGetValue(channelId, out var session) && string.Equals(session.Handle, handle, StringComparison.OrdinalIgnoreCase))
        {
            return session;
        }

        session = await xrpc.CreateSessionAsync(handle, password, ct);
        _sessions[channelId] = session;
        return session;
    }

    private const string Base32Sortable = "234567abcdefghijklmnopqrstuvwxyz";

    /// <summary>
    /// A TID (atproto record key: 53 bits of microseconds since 1970, 10 bits of clock id, base32-sortable) fixed by
    /// the publication's creation time, the part and the delivery, so every attempt of the same part uses the same key.
    /// </summary>
    public static string RecordKey(DateTime createdAt, long deliveryId, int part)
    {
        var micros = (createdAt.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10 + part;
        var value = ((ulong)micros << 10) | (ulong)(deliveryId & 0x3FF);
        value &= 0x7FFF_FFFF_FFFF_FFFF;
        var chars = new char[13];
        for (var i = 12; i >= 0; i--)
        {
            chars[i] = Base32Sortable[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }
}
