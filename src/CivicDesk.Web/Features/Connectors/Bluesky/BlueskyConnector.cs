using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.Bluesky.AtProto;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>
/// Bluesky (AT Protocol). Inbound from Jetstream (production) or by polling a self-hosted PDS; outbound replies are
/// app.bsky.feed.post records created in the organisation's repo with an app-password session.
/// </summary>
public sealed partial class BlueskyConnector(TimeProvider clock, ILogger<BlueskyConnector> logger) : ISocialConnector
{
    private readonly ConcurrentDictionary<long, XrpcSession> _sessions = new();

    public ChannelKind Kind => ChannelKind.Bluesky;

    public IReadOnlyList<ConnectorField> Fields { get; } =
    [
        new("Handle", "Organisation's Bluesky handle", Required: true, Hint: "For example council.bsky.social (without the @)."),
        new("AppPassword", "App password", Secret: true, Required: true, Hint: "Create one under Settings → Privacy and security → App passwords. Never the account password."),
        new("Keywords", "Keywords and hashtags to listen for", Hint: "Comma-separated, e.g. pothole, #flytipping. Mentions of the handle are always kept."),
        new("Mode", "Source", Hint: "jetstream (default, the public network) or pds (poll a self-hosted PDS at the service address)."),
        new("ServiceUrl", "Service address", Hint: $"The PDS hosting the organisation's account; default {BlueskySettings.DefaultService}."),
        new("JetstreamUrl", "Jetstream address", Hint: $"Default {BlueskySettings.DefaultJetstream}."),
        new("OrganisationDids", "Organisation DIDs", Hint: "Comma-separated; found from the handle when left empty."),
        new("WatchedDids", "Accounts to read in full", Hint: "Comma-separated DIDs whose every post is kept (Jetstream wantedDids)."),
        new("PollSeconds", "Polling interval (seconds, PDS mode)", Hint: "Default 30."),
        new("ReplyLanguage", "Reply language", Hint: "BCP-47 tag put in replies' langs; default en."),
    ];

    public async Task RunInboundAsync(ConnectorContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = BlueskySettings.From(context);
        var ownDids = await OrganisationDidsAsync(context, settings, ct);
        var filter = settings.Filter(ownDids);
        try
        {
            if (settings.PdsMode)
            {
                await new PdsPollingInbound(context, settings, filter, clock, ownDids).RunAsync(ct);
            }
            else
            {
                await new JetstreamInbound(context, settings, filter, clock).RunAsync(ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.Health.Disconnected(ex.GetType().Name);
            throw;
        }
        finally
        {
            if (ct.IsCancellationRequested)
            {
                context.Health.Disconnected("stopped");
            }
        }
    }

    public async Task<DeliveryResult> ReplyAsync(ConnectorContext context, OutboundReply reply, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reply);
        if (BlueskyRichText.LengthProblem(reply.Text) is { } tooLong)
        {
            return DeliveryResult.Failed(tooLong);
        }

        if (reply.InReplyTo is null || !AtSyntax.TryParseAtUri(reply.InReplyTo, out var parent) || parent.RecordKey is null || parent.Collection is null)
        {
            return DeliveryResult.Failed("This conversation has no Bluesky post to answer.");
        }

        var settings = BlueskySettings.From(context);
        if (settings.Handle is null || !context.Secrets.TryGetValue("AppPassword", out var password) || string.IsNullOrEmpty(password))
        {
            return DeliveryResult.Failed("The Bluesky channel has no handle or app password; an administrator must add them on the connector's page.");
        }

        var xrpc = new XrpcClient(context.Http, settings.ServiceUrl ?? BlueskySettings.DefaultService);
        try
        {
            return await PostReplyAsync(xrpc, context, settings, password, reply.Text, parent, retryOnExpiry: true, ct);
        }
        catch (XrpcException ex) when (ex.Error is "RecordNotFound" or "InvalidRequest" && ex.ServerMessage?.Contains("record", StringComparison.OrdinalIgnoreCase) == true)
        {
            return DeliveryResult.Failed("The Bluesky post being answered no longer exists (it may have been deleted).");
        }
        catch (XrpcException ex) when (ex.Error is "AuthenticationRequired" or "AccountTakedown" or "AuthFactorTokenRequired")
        {
            _sessions.TryRemove(context.Channel.Id, out _);
            return DeliveryResult.Failed("Bluesky did not accept the channel's handle and app password; an administrator must check them.");
        }
        catch (XrpcException ex)
        {
            LogRefused(logger, context.Channel.Id, (int)ex.Status, ex.Error);
            return DeliveryResult.Failed($"Bluesky refused the reply ({(int)ex.Status} {ex.Error}). It will be retried.");
        }
        catch (HttpRequestException ex)
        {
            LogUnreachable(logger, context.Channel.Id, ex.HttpRequestError.ToString());
            return DeliveryResult.Failed("Could not reach Bluesky. The reply will be retried.");
        }
    }

    private async Task<DeliveryResult> PostReplyAsync(XrpcClient xrpc, ConnectorContext context, BlueskySettings settings, string password,
        string text, AtUri parent, bool retryOnExpiry, CancellationToken ct)
    {
        var session = await SessionAsync(xrpc, context.Channel.Id, settings.Handle!, password, ct);
        try
        {
            var parentRecord = await xrpc.QueryAsync("com.atproto.repo.getRecord",
                [new("repo", parent.Authority), new("collection", parent.Collection), new("rkey", parent.RecordKey)], session.AccessJwt, ct);
            var parentRef = new JsonObject { ["uri"] = parentRecord["uri"]?.GetValue<string>(), ["cid"] = parentRecord["cid"]?.GetValue<string>() };
            var rootRef = parentRecord["value"]?["reply"]?["root"] is JsonObject root ? root.DeepClone() : parentRef.DeepClone();
            var record = new JsonObject
            {
                ["$type"] = BlueskyPosts.PostCollection,
                ["text"] = text,
                ["createdAt"] = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["langs"] = new JsonArray(settings.ReplyLanguage),
                ["reply"] = new JsonObject { ["root"] = rootRef, ["parent"] = parentRef },
            };
            if (await FacetsAsync(xrpc, text, ct) is { Count: > 0 } facets)
            {
                record["facets"] = facets;
            }

            var created = await xrpc.ProcedureAsync("com.atproto.repo.createRecord", new JsonObject
            {
                ["repo"] = session.Did,
                ["collection"] = BlueskyPosts.PostCollection,
                ["record"] = record,
            }, session.AccessJwt, ct);
            var uri = created["uri"]?.GetValue<string>() ?? throw new XrpcException(System.Net.HttpStatusCode.OK, "InvalidResponse", "createRecord returned no uri");
            var rkey = AtSyntax.TryParseAtUri(uri, out var at) ? at.RecordKey ?? "" : "";
            return DeliveryResult.Sent(uri, BlueskyPosts.WebUrl(session.Handle, rkey));
        }
        catch (XrpcException ex) when (retryOnExpiry && ex.Error is "ExpiredToken" or "InvalidToken")
        {
            await RefreshAsync(xrpc, context.Channel.Id, session, ct);
            return await PostReplyAsync(xrpc, context, settings, password, text, parent, retryOnExpiry: false, ct);
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

    private async Task RefreshAsync(XrpcClient xrpc, long channelId, XrpcSession expired, CancellationToken ct)
    {
        try
        {
            _sessions[channelId] = await xrpc.RefreshSessionAsync(expired.RefreshJwt, ct);
        }
        catch (XrpcException)
        {
            _sessions.TryRemove(channelId, out _); // the refresh token expired too: the retry signs in again
        }
    }

    /// <summary>Mention facets carry the DID (resolved from the handle; unresolvable handles stay plain text) and link facets the URI.</summary>
    private static async Task<JsonArray> FacetsAsync(XrpcClient xrpc, string text, CancellationToken ct)
    {
        var facets = new JsonArray();
        foreach (var f in BlueskyRichText.Detect(text))
        {
            JsonObject feature;
            if (f.IsMention)
            {
                string did;
                try
                {
                    did = await xrpc.ResolveHandleAsync(f.Value, ct);
                }
                catch (XrpcException)
                {
                    continue;
                }

                feature = new JsonObject { ["$type"] = "app.bsky.richtext.facet#mention", ["did"] = did };
            }
            else
            {
                feature = new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = f.Value };
            }

            facets.Add(new JsonObject
            {
                ["index"] = new JsonObject { ["byteStart"] = f.ByteStart, ["byteEnd"] = f.ByteEnd },
                ["features"] = new JsonArray(feature),
            });
        }

        return facets;
    }

    /// <summary>The organisation's own DIDs: configured, or resolved from its handle at the service when one is set.</summary>
    private async Task<HashSet<string>> OrganisationDidsAsync(ConnectorContext context, BlueskySettings settings, CancellationToken ct)
    {
        var dids = new HashSet<string>(settings.OrganisationDids, StringComparer.Ordinal);
        if (dids.Count == 0 && settings.Handle is { } handle && settings.ServiceUrl is { } service && AtSyntax.IsHandle(handle))
        {
            try
            {
                dids.Add(await new XrpcClient(context.Http, service).ResolveHandleAsync(handle, ct));
            }
            catch (Exception ex) when (ex is XrpcException or HttpRequestException)
            {
                // Mentions in the text still match; only DID-only mention facets are missed until it resolves.
                LogUnresolved(logger, context.Channel.Id);
            }
        }

        return dids;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bluesky refused a reply on channel {ChannelId}: {Status} {Error}")]
    private static partial void LogRefused(ILogger logger, long channelId, int status, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bluesky unreachable for channel {ChannelId}: {Problem}")]
    private static partial void LogUnreachable(ILogger logger, long channelId, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not resolve the organisation's Bluesky handle for channel {ChannelId}")]
    private static partial void LogUnresolved(ILogger logger, long channelId);
}
