using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Connectors.Facebook;

namespace CivicDesk.Web.Features.Dashboards.Audience;

/// <summary>
/// A Facebook Page through the Graph API with the Page access token (sent in a header, never in the URL): the Page's
/// <c>followers_count</c> (falling back to <c>fan_count</c>, its likes, on Pages that do not report followers) from
/// <c>GET /{page-id}?fields=followers_count,fan_count</c>; each post's
/// <c>reactions.summary(total_count)</c> (every reaction, not only likes), <c>shares.count</c> (absent when none) and
/// <c>comments.summary(true)</c> from <c>GET /{post-id}</c>. A Page has no "following" or post count to read, and
/// Facebook has no quotes: those are null. A post Facebook no longer has (404, or error 100) is reported as not found.
/// <para>
/// Page insights, read after each: the Page's reach on its latest full day (<c>GET /{page-id}/insights?metric=
/// page_total_media_view_unique&amp;period=day</c>) and each post's people reached (<c>GET /{post-id}/insights?metric=
/// post_total_media_view_unique&amp;period=lifetime</c>), the metrics Meta names in place of the <c>*_impressions_unique</c>
/// ones it withdrew in 2025. Facebook keeps insights from Pages with fewer than 100 likes and from tokens without
/// <c>read_insights</c>: an empty answer or a 400/403 on an insights call leaves that figure null (shown as a dash)
/// and never fails the read; a rate limit or server error does, so the day is read again.
/// </para>
/// </summary>
public sealed class FacebookAudienceReader(TimeProvider clock) : IAudienceReader
{
    public const string PostFields = "reactions.summary(total_count).limit(0),comments.summary(true).limit(0),shares";
    public const string PageReachMetric = "page_total_media_view_unique";
    public const string PostReachMetric = "post_total_media_view_unique";
    private const string Network = "Facebook";

    public ChannelKind Kind => ChannelKind.Facebook;

    public async Task<AccountFigures> ReadAccountAsync(ConnectorContext account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        var page = Uri.EscapeDataString(string.IsNullOrWhiteSpace(account.Channel.Account) ? "me" : account.Channel.Account.Trim());
        using var request = Request(account, $"{page}?fields=followers_count,fan_count");
        var answer = await AudienceHttp.GetObjectAsync(account.Http, request, Network, "reading the Page", clock, ct);
        const string what = "Page";
        var followers = AudienceHttp.Optional(answer, "followers_count", Network, what) ?? AudienceHttp.Optional(answer, "fan_count", Network, what)
            ?? throw new AudienceReadException("Facebook's Page answer had neither followers_count nor fan_count (the token may lack pages_read_engagement)");
        var reach = await InsightAsync(account, page, PageReachMetric, "day", "reading the Page's insights", ct);
        return new AccountFigures(followers, null, null, "GET /{page-id}?fields=followers_count,fan_count", reach);
    }

    public async Task<PostFiguresBatch> ReadPostsAsync(ConnectorContext account, IReadOnlyList<string> remoteIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(remoteIds);
        var found = new Dictionary<string, PostFigures>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var id in remoteIds.Distinct(StringComparer.Ordinal))
        {
            using var request = Request(account, $"{Uri.EscapeDataString(id)}?fields={Uri.EscapeDataString(PostFields)}");
            JsonObject? post;
            try
            {
                post = await AudienceHttp.GetObjectAsync(account.Http, request, Network, "reading a post", clock, ct, notFoundIsNull: true);
            }
            catch (AudienceReadException ex) when (ex.Message.Contains("(400,", StringComparison.Ordinal) && ex.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase))
            {
                // Graph error 100 "Object with ID '…' does not exist, cannot be loaded due to missing permissions…".
                post = null;
            }

            if (post is null)
            {
                missing.Add(id);
                continue;
            }

            const string what = "post";
            found[id] = new PostFigures(id,
                AudienceHttp.Required(post["reactions"]?["summary"], "total_count", Network, "post's reactions summary"),
                AudienceHttp.Optional(post["shares"], "count", Network, what) ?? 0,
                AudienceHttp.Required(post["comments"]?["summary"], "total_count", Network, "post's comments summary"),
                null,
                await InsightAsync(account, Uri.EscapeDataString(id), PostReachMetric, "lifetime", "reading a post's insights", ct));
        }

        return new PostFiguresBatch(found, missing, "GET /{post-id}?fields=reactions.summary,comments.summary,shares");
    }

    /// <summary>
    /// One insights metric of a Page or post: the value of its latest period (<c>data[].values[]</c>, by
    /// <c>end_time</c>). Null when Facebook has none for it (no data, a Page under 100 likes, a token without
    /// read_insights, a metric this API version does not know: 400 or 403).
    /// </summary>
    private async Task<long?> InsightAsync(ConnectorContext account, string escapedId, string metric, string period, string step, CancellationToken ct)
    {
        using var request = Request(account, $"{escapedId}/insights?metric={metric}&period={period}");
        JsonObject? answer;
        try
        {
            answer = await AudienceHttp.GetObjectAsync(account.Http, request, Network, step, clock, ct, notFoundIsNull: true);
        }
        catch (AudienceReadException ex) when (ex.Status is 400 or 403)
        {
            return null;
        }

        if (answer?["data"] is not JsonArray data)
        {
            return null;
        }

        var series = data.OfType<JsonObject>().FirstOrDefault(d => d["name"] is JsonValue n && n.TryGetValue<string>(out var s) && s == metric);
        if (series?["values"] is not JsonArray values || values.Count == 0)
        {
            return null;
        }

        // Daily values come oldest first with an end_time each; take the latest rather than trusting the order.
        var latest = values.OfType<JsonObject>()
            .OrderBy(v => v["end_time"] is JsonValue e && e.TryGetValue<string>(out var t) ? t : "", StringComparer.Ordinal)
            .LastOrDefault();
        return AudienceHttp.Optional(latest, "value", Network, $"{metric} insight");
    }

    private static HttpRequestMessage Request(ConnectorContext account, string pathAndQuery)
    {
        if (!account.Secrets.TryGetValue(FacebookConnector.PageAccessToken, out var token) || string.IsNullOrWhiteSpace(token))
        {
            throw new AudienceReadException("the Facebook Page access token is not set: an administrator must configure it under Connectors");
        }

        var baseUrl = new Uri(AudienceHttp.Setting(account, FacebookConnector.GraphBaseUrl) is { } b ? b.TrimEnd('/') + "/" : FacebookConnector.DefaultGraph);
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("OAuth", token.Trim());
        return request;
    }
}
