using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Connectors.Mastodon;

namespace CivicDesk.Web.Features.Dashboards.Audience;

/// <summary>
/// Mastodon, on the channel's server with its access token: the account through <c>GET /api/v1/accounts/:id</c>
/// (followers_count, following_count, statuses_count), its id found once from the channel's account (a numeric id is
/// used as it is, a handle through <c>GET /api/v1/accounts/lookup</c>, none through
/// <c>GET /api/v1/accounts/verify_credentials</c>); each post through <c>GET /api/v1/statuses/:id</c>
/// (favourites_count, reblogs_count, replies_count, and quotes_count where the server is new enough to count them).
/// </summary>
public sealed class MastodonAudienceReader(TimeProvider clock) : IAudienceReader
{
    private const string Network = "Mastodon";
    private readonly ConcurrentDictionary<(long Channel, string Account), string> _ids = new();

    public ChannelKind Kind => ChannelKind.Mastodon;

    public async Task<AccountFigures> ReadAccountAsync(ConnectorContext account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        var api = Api(account);
        var configured = account.Channel.Account?.Trim().TrimStart('@') ?? "";
        if (!_ids.TryGetValue((account.Channel.Id, configured), out var id))
        {
            if (configured.Length > 0 && configured.All(char.IsAsciiDigit))
            {
                id = configured;
            }
            else
            {
                using var find = configured.Length > 0
                    ? api.Request(HttpMethod.Get, $"api/v1/accounts/lookup?acct={Uri.EscapeDataString(configured)}")
                    : api.Request(HttpMethod.Get, "api/v1/accounts/verify_credentials");
                var found = await AudienceHttp.GetObjectAsync(account.Http, find, Network, "finding the account", clock, ct);
                id = found!["id"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
                    ? s
                    : throw new AudienceReadException($"Mastodon's answer for the account {configured} had no id");
            }

            _ids[(account.Channel.Id, configured)] = id;
        }

        using var request = api.Request(HttpMethod.Get, $"api/v1/accounts/{Uri.EscapeDataString(id)}");
        var entity = await AudienceHttp.GetObjectAsync(account.Http, request, Network, "reading the account", clock, ct);
        const string what = "account";
        return new AccountFigures(
            AudienceHttp.Required(entity, "followers_count", Network, what),
            AudienceHttp.Optional(entity, "following_count", Network, what),
            AudienceHttp.Optional(entity, "statuses_count", Network, what),
            "GET /api/v1/accounts/:id");
    }

    public async Task<PostFiguresBatch> ReadPostsAsync(ConnectorContext account, IReadOnlyList<string> remoteIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(remoteIds);
        var api = Api(account);
        var found = new Dictionary<string, PostFigures>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var id in remoteIds.Distinct(StringComparer.Ordinal))
        {
            using var request = api.Request(HttpMethod.Get, $"api/v1/statuses/{Uri.EscapeDataString(id)}");
            var status = await AudienceHttp.GetObjectAsync(account.Http, request, Network, "reading a status", clock, ct, notFoundIsNull: true);
            if (status is null)
            {
                missing.Add(id);
                continue;
            }

            const string what = "status";
            found[id] = new PostFigures(id,
                AudienceHttp.Required(status, "favourites_count", Network, what),
                AudienceHttp.Required(status, "reblogs_count", Network, what),
                AudienceHttp.Required(status, "replies_count", Network, what),
                AudienceHttp.Optional(status, "quotes_count", Network, what));
        }

        return new PostFiguresBatch(found, missing, "GET /api/v1/statuses/:id");
    }

    private static MastodonApi Api(ConnectorContext account)
    {
        try
        {
            var settings = MastodonSettings.Read(account);
            return new MastodonApi(account.Http, settings.BaseUrl, settings.AccessToken, TimeProvider.System);
        }
        catch (InvalidOperationException ex)
        {
            throw new AudienceReadException(ex.Message + " An administrator must set it under Connectors.", inner: ex);
        }
    }
}
