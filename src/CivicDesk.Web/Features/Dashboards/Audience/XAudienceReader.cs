using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Connectors.X;

namespace CivicDesk.Web.Features.Dashboards.Audience;

/// <summary>
/// X API v2 with the channel's user access token (or, without one, its app bearer token): the account through
/// <c>GET /2/users/:id?user.fields=public_metrics</c> when the channel's account is a numeric user id, else
/// <c>GET /2/users/by/username/:username</c> or <c>GET /2/users/me</c> with the same fields (followers_count,
/// following_count, tweet_count); the posts through <c>GET /2/tweets?ids=…&amp;tweet.fields=public_metrics</c>, up to 100
/// a call (like_count, retweet_count, reply_count, quote_count, and impression_count where X gives it: posts
/// from before X added it have none, so their views are unknown rather than zero). Posts X cannot find come back in <c>errors</c> and
/// are reported as not found. The newer names (repost_count, post_count) are read too.
/// </summary>
public sealed class XAudienceReader(TimeProvider clock) : IAudienceReader
{
    public const int PostsPerCall = 100;
    private const string Network = "X";

    public ChannelKind Kind => ChannelKind.Twitter;

    public async Task<AccountFigures> ReadAccountAsync(ConnectorContext account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        var (settings, token) = Settings(account);
        var configured = account.Channel.Account?.Trim().TrimStart('@') ?? "";
        string path, source;
        if (configured.Length > 0 && configured.All(char.IsAsciiDigit))
        {
            (path, source) = ($"2/users/{configured}", "GET /2/users/:id");
        }
        else if (configured.Length > 0)
        {
            (path, source) = ($"2/users/by/username/{Uri.EscapeDataString(configured)}", "GET /2/users/by/username/:username");
        }
        else if (settings.UserAccessToken is not null)
        {
            (path, source) = ("2/users/me", "GET /2/users/me");
        }
        else
        {
            throw new AudienceReadException("the X channel has no account (user id or username) and no user access token to find it with");
        }

        using var request = Request(settings, token, $"{path}?user.fields=public_metrics");
        var answer = await AudienceHttp.GetObjectAsync(account.Http, request, Network, "reading the account", clock, ct);
        if (answer!["data"] is not JsonObject user)
        {
            throw new AudienceReadException($"X's answer had no user{FirstError(answer)}");
        }

        if (user["public_metrics"] is not JsonObject metrics)
        {
            throw new AudienceReadException("X's user had no public_metrics");
        }

        const string what = "user public_metrics";
        return new AccountFigures(
            AudienceHttp.Required(metrics, "followers_count", Network, what),
            AudienceHttp.Optional(metrics, "following_count", Network, what),
            AudienceHttp.OptionalEither(metrics, "tweet_count", "post_count", Network, what),
            source + "?user.fields=public_metrics");
    }

    public async Task<PostFiguresBatch> ReadPostsAsync(ConnectorContext account, IReadOnlyList<string> remoteIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(remoteIds);
        var (settings, token) = Settings(account);
        var found = new Dictionary<string, PostFigures>(StringComparer.Ordinal);
        var notFound = new List<string>();
        var wanted = remoteIds.Distinct(StringComparer.Ordinal).ToList();
        foreach (var chunk in wanted.Chunk(PostsPerCall))
        {
            var ids = string.Join(',', chunk.Select(Uri.EscapeDataString));
            using var request = Request(settings, token, $"2/tweets?ids={ids}&tweet.fields=public_metrics");
            var answer = await AudienceHttp.GetObjectAsync(account.Http, request, Network, "reading the posts", clock, ct);
            if (answer!["data"] is JsonArray data)
            {
                foreach (var post in data)
                {
                    var id = post?["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                    if (id is null || post!["public_metrics"] is not JsonObject metrics)
                    {
                        throw new AudienceReadException("X's answer had a post without an id or public_metrics");
                    }

                    const string what = "post public_metrics";
                    found[id] = new PostFigures(id,
                        AudienceHttp.Required(metrics, "like_count", Network, what),
                        AudienceHttp.OptionalEither(metrics, "retweet_count", "repost_count", Network, what),
                        AudienceHttp.Optional(metrics, "reply_count", Network, what),
                        AudienceHttp.Optional(metrics, "quote_count", Network, what),
                        AudienceHttp.Optional(metrics, "impression_count", Network, what));
                }
            }
            else if (answer["errors"] is not JsonArray)
            {
                throw new AudienceReadException("X's answer had neither posts nor errors");
            }

            // Deleted or protected posts: {"errors":[{"resource_id":"…","title":"Not Found Error",…}]}.
            notFound.AddRange(chunk.Where(id => !found.ContainsKey(id)));
        }

        return new PostFiguresBatch(found, notFound, "GET /2/tweets?tweet.fields=public_metrics");
    }

    private static (XSettings Settings, string Token) Settings(ConnectorContext account)
    {
        XSettings settings;
        try
        {
            settings = XSettings.Read(account);
        }
        catch (InvalidOperationException ex)
        {
            throw new AudienceReadException(ex.Message, inner: ex);
        }

        var token = settings.UserAccessToken ?? settings.AppBearerToken
            ?? throw new AudienceReadException("the X channel has no access token: an administrator must set one under Connectors");
        return (settings, token);
    }

    private static HttpRequestMessage Request(XSettings settings, string token, string pathAndQuery)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.BaseUrl, pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string FirstError(JsonObject answer) =>
        answer["errors"] is JsonArray { Count: > 0 } errors && errors[0]?["detail"] is JsonValue d && d.TryGetValue<string>(out var s) ? ": " + s : "";
}
