using System.Text.Json;
using CivicDesk.Web.Features.Ingestion;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>
/// For a self-hosted PDS: lists the accounts it hosts (com.atproto.sync.listRepos) and reads each one's new posts
/// with com.atproto.repo.listRecords in record-key order (reverse=true: oldest first; record keys are TIDs, so
/// their order is creation order). The checkpoint is a JSON object of DID → last record key read. Deletions and
/// edits are not seen this way (use Jetstream or the firehose for those).
/// </summary>
public sealed class PdsPollingInbound(ConnectorContext context, BlueskySettings settings, BlueskyFilter filter, TimeProvider clock, IReadOnlySet<string> ownDids)
{
    private const int PageSize = 100;
    private readonly Dictionary<string, string?> _handles = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken ct)
    {
        var xrpc = new XrpcClient(context.Http, settings.ServiceUrl ?? BlueskySettings.DefaultService);
        var state = ReadCheckpoint(context.Checkpoint);
        using var timer = new PeriodicTimer(settings.PollInterval, clock);
        var connected = false;
        do
        {
            var repos = await ListReposAsync(xrpc, ct);
            if (!connected)
            {
                context.Health.Connected();
                connected = true;
            }

            foreach (var did in repos.Where(d => !ownDids.Contains(d)))
            {
                await ReadRepoAsync(xrpc, did, state, ct);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    public static Dictionary<string, string> ReadCheckpoint(string? checkpoint)
    {
        if (string.IsNullOrEmpty(checkpoint))
        {
            return new(StringComparer.Ordinal);
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(checkpoint) is { } d
                ? new Dictionary<string, string>(d, StringComparer.Ordinal) : new(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new(StringComparer.Ordinal); // a Jetstream cursor from before a mode change: start over, idempotently
        }
    }

    private static async Task<List<string>> ListReposAsync(XrpcClient xrpc, CancellationToken ct)
    {
        var dids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await xrpc.QueryAsync("com.atproto.sync.listRepos", [new("limit", "1000"), new("cursor", cursor)], null, ct);
            var repos = page["repos"]?.AsArray() ?? [];
            foreach (var repo in repos)
            {
                if (repo?["did"]?.GetValue<string>() is { } did && repo["active"]?.GetValue<bool>() != false)
                {
                    dids.Add(did);
                }
            }

            cursor = repos.Count > 0 ? page["cursor"]?.GetValue<string>() : null;
        }
        while (cursor is not null);
        return dids;
    }

    private async Task ReadRepoAsync(XrpcClient xrpc, string did, Dictionary<string, string> state, CancellationToken ct)
    {
        while (true)
        {
            state.TryGetValue(did, out var after);
            var page = await xrpc.QueryAsync("com.atproto.repo.listRecords",
                [new("repo", did), new("collection", BlueskyPosts.PostCollection), new("limit", PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                 new("reverse", "true"), new("cursor", after)], null, ct);
            var records = page["records"]?.AsArray() ?? [];
            if (records.Count == 0)
            {
                return;
            }

            var posts = new List<InboundPost>();
            string? last = null;
            foreach (var item in records)
            {
                var uri = item?["uri"]?.GetValue<string>();
                if (uri is null || !AtProto.AtSyntax.TryParseAtUri(uri, out var at) || at.RecordKey is null)
                {
                    context.Health.Malformed($"listRecords {did}", "record without a valid uri");
                    continue;
                }

                last = at.RecordKey;
                PostRecord? post;
                try
                {
                    post = item!["value"].Deserialize(BlueskyJsonContext.Default.PostRecord);
                }
                catch (JsonException)
                {
                    post = null;
                }

                if (post is null)
                {
                    context.Health.Malformed(uri, "post record could not be read");
                    continue;
                }

                var now = clock.GetUtcNow().UtcDateTime;
                context.Health.EventReceived(now);
                if (filter.Matches(did, post))
                {
                    posts.Add(BlueskyPosts.ToInbound(did, at.RecordKey, post, now, await HandleAsync(xrpc, did, ct), item!.ToJsonString()) with { IsDirect = filter.IsDirect(post) });
                }
            }

            if (last is null)
            {
                return;
            }

            state[did] = last;
            var checkpoint = JsonSerializer.Serialize(state);
            if (posts.Count > 0)
            {
                await context.Sink.CommitAsync(posts, checkpoint, ct);
            }
            else
            {
                await context.Sink.SaveCheckpointAsync(checkpoint, ct);
            }

            if (records.Count < PageSize)
            {
                return;
            }
        }
    }

    private async Task<string?> HandleAsync(XrpcClient xrpc, string did, CancellationToken ct)
    {
        if (!_handles.TryGetValue(did, out var handle))
        {
            try
            {
                handle = (await xrpc.QueryAsync("com.atproto.repo.describeRepo", [new("repo", did)], null, ct))["handle"]?.GetValue<string>();
            }
            catch (XrpcException)
            {
                handle = null; // the DID stands in for the handle
            }

            _handles[did] = handle;
        }

        return handle;
    }
}
