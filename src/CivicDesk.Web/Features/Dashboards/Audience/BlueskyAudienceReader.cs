using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Connectors.Bluesky;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Dashboards.Audience;

/// <summary>
/// Bluesky, from the AppView (which counts followers, likes and reposts across the network; a PDS does not):
/// <c>app.bsky.actor.getProfile</c> (a <c>profileViewDetailed</c>: followersCount, followsCount, postsCount) for the
/// handle, and <c>app.bsky.feed.getPosts</c> (up to 25 at:// URIs a call; <c>postView</c>: likeCount, repostCount,
/// replyCount, quoteCount) for the posts. Both are public queries, so no session is needed. The AppView is the
/// channel's "AppViewUrl" setting, else <see cref="AudienceOptions.BlueskyAppViewUrl"/>.
/// </summary>
public sealed class BlueskyAudienceReader(TimeProvider clock, IOptions<AudienceOptions> options) : IAudienceReader
{
    public const int PostsPerCall = 25;
    private const string Network = "Bluesky";

    public ChannelKind Kind => ChannelKind.Bluesky;

    public async Task<AccountFigures> ReadAccountAsync(ConnectorContext account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        var handle = BlueskySettings.From(account).Handle
            ?? throw new AudienceReadException("the Bluesky handle is not set: an administrator must set it under Connectors");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AppView(account)}/xrpc/app.bsky.actor.getProfile?actor={Uri.EscapeDataString(handle)}");
        var profile = await AudienceHttp.GetObjectAsync(account.Http, request, Network, "reading the profile", clock, ct);
        const string what = "profile";
        return new AccountFigures(
            AudienceHttp.Required(profile, "followersCount", Network, what),
            AudienceHttp.Optional(profile, "followsCount", Network, what),
            AudienceHttp.Optional(profile, "postsCount", Network, what),
            "app.bsky.actor.getProfile");
    }

    public async Task<PostFiguresBatch> ReadPostsAsync(ConnectorContext account, IReadOnlyList<string> remoteIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(remoteIds);
        var found = new Dictionary<string, PostFigures>(StringComparer.Ordinal);
        var wanted = remoteIds.Where(u => u.StartsWith("at://", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var chunk in wanted.Chunk(PostsPerCall))
        {
            var query = string.Join('&', chunk.Select(u => "uris=" + Uri.EscapeDataString(u)));
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{AppView(account)}/xrpc/app.bsky.feed.getPosts?{query}");
            var answer = await AudienceHttp.GetObjectAsync(account.Http, request, Network, "reading the posts", clock, ct);
            if (answer!["posts"] is not JsonArray posts)
            {
                throw new AudienceReadException("Bluesky's getPosts answer had no posts list");
            }

            foreach (var post in posts)
            {
                const string what = "post";
                var uri = post?["uri"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                if (uri is null)
                {
                    throw new AudienceReadException("Bluesky's getPosts answer had a post without a uri");
                }

                found[uri] = new PostFigures(uri,
                    AudienceHttp.Optional(post, "likeCount", Network, what),
                    AudienceHttp.Optional(post, "repostCount", Network, what),
                    AudienceHttp.Optional(post, "replyCount", Network, what),
                    AudienceHttp.Optional(post, "quoteCount", Network, what));
            }
        }

        // getPosts leaves out posts that were deleted (or are hidden from the AppView) rather than failing.
        var missing = remoteIds.Where(id => !found.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        return new PostFiguresBatch(found, missing, "app.bsky.feed.getPosts");
    }

    private string AppView(ConnectorContext account) =>
        (AudienceHttp.Setting(account, "AppViewUrl") ?? options.Value.BlueskyAppViewUrl).TrimEnd('/');
}
