using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.X;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>
/// X: each image through <c>POST /2/media/upload</c> (category tweet_image), its alt text through
/// <c>POST /2/media/metadata</c>, then <c>POST /2/tweets</c> with the media ids; a thread's later parts reply to the
/// part before. X has no idempotency key, so when an earlier attempt's outcome is unknown the account's recent posts
/// are read back (<c>GET /2/users/me</c>, <c>GET /2/users/:id/tweets</c>) and a post with the same text (links compared
/// as links, since X rewrites them to t.co) counts as this part.
/// </summary>
public sealed partial class XPublisher(TimeProvider clock) : INetworkPublisher
{
    public ChannelKind Kind => ChannelKind.Twitter;

    public async Task<PublishResult> PublishAsync(PublishJob job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        XSettings settings;
        try
        {
            settings = XSettings.Read(job.Connector);
        }
        catch (InvalidOperationException ex)
        {
            return PublishResult.Refused(ex.Message);
        }

        if (settings.UserAccessToken is null)
        {
            return PublishResult.Refused("the X user access token is not set: posting needs a user token with tweet.write and media.write");
        }

        var http = job.Connector.Http;
        HttpRequestMessage Request(HttpMethod method, string path)
        {
            var request = new HttpRequestMessage(method, new Uri(settings.BaseUrl, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.UserAccessToken);
            return request;
        }

        var posted = job.Posted.ToDictionary(p => p.Index);
        IReadOnlyList<(string Id, string Text)>? recent = null;
        List<string>? mediaIds = null;
        for (var i = 0; i < job.Parts.Count; i++)
        {
            if (posted.ContainsKey(i))
            {
                continue;
            }

            if (job.OutcomeUnknown)
            {
                if (recent is null)
                {
                    var (found, failure) = await RecentAsync(Request, http, job.CreatedAt, ct);
                    if (failure is not null)
                    {
                        return failure;
                    }

                    recent = found;
                }

                var match = recent!.FirstOrDefault(t => SameText(t.Text, job.Parts[i]));
                if (match.Id is not null)
                {
                    var existing = new PostedPart(i, match.Id, $"https://x.com/i/web/status/{match.Id}");
                    await job.RecordPartAsync(existing, ct);
                    posted[i] = existing;
                    continue;
                }
            }

            if (i == 0 && job.Images.Count > 0)
            {
                mediaIds = [];
                foreach (var image in job.Images)
                {
                    using var form = new MultipartFormDataContent();
                    var file = new ByteArrayContent(image.Data);
                    file.Headers.ContentType = new MediaTypeHeaderValue(image.ContentType);
                    form.Add(file, "media", image.FileName);
                    form.Add(new StringContent("tweet_image"), "media_category");
                    using var upload = Request(HttpMethod.Post, "2/media/upload");
                    upload.Content = form;
                    using var uploaded = await http.SendAsync(upload, ct);
                    var uploadBody = await uploaded.Content.ReadAsStringAsync(ct);
                    if (!uploaded.IsSuccessStatusCode)
                    {
                        return PublisherHttp.Failure("X", $"uploading {image.FileName}", uploaded, uploadBody, clock.GetUtcNow());
                    }

                    var mediaId = JsonNode.Parse(uploadBody)?["data"]?["id"]?.GetValue<string>();
                    if (mediaId is null)
                    {
                        return PublishResult.Transient("X accepted the image but returned no media id", ambiguous: false);
                    }

                    using var metadata = Request(HttpMethod.Post, "2/media/metadata");
                    metadata.Content = JsonContent.Create(new JsonObject
                    {
                        ["id"] = mediaId,
                        ["metadata"] = new JsonObject { ["alt_text"] = new JsonObject { ["text"] = image.AltText } },
                    });
                    using var described = await http.SendAsync(metadata, ct);
                    if (!described.IsSuccessStatusCode)
                    {
                        return PublisherHttp.Failure("X", $"adding alt text to {image.FileName}", described, await described.Content.ReadAsStringAsync(ct), clock.GetUtcNow());
                    }

                    mediaIds.Add(mediaId);
                }
            }

            var tweet = new JsonObject { ["text"] = job.Parts[i] };
            if (i == 0 && mediaIds is { Count: > 0 })
            {
                tweet["media"] = new JsonObject { ["media_ids"] = new JsonArray([.. mediaIds.Select(m => (JsonNode)m)]) };
            }

            if (i > 0)
            {
                tweet["reply"] = new JsonObject { ["in_reply_to_tweet_id"] = posted[i - 1].RemoteId };
            }

            using var post = Request(HttpMethod.Post, "2/tweets");
            post.Content = JsonContent.Create(tweet);
            using var response = await http.SendAsync(post, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                return PublisherHttp.Failure("X", "posting", response, body, clock.GetUtcNow());
            }

            var id = JsonNode.Parse(body)?["data"]?["id"]?.GetValue<string>();
            if (id is null)
            {
                return PublishResult.Transient("X accepted the post but returned no id", ambiguous: true);
            }

            var part = new PostedPart(i, id, $"https://x.com/i/web/status/{id}");
            await job.RecordPartAsync(part, ct);
            posted[i] = part;
        }

        return PublishResult.Success(posted[0]);
    }

    private async Task<(IReadOnlyList<(string Id, string Text)>? Found, PublishResult? Failure)> RecentAsync(
        Func<HttpMethod, string, HttpRequestMessage> request, HttpClient http, DateTime since, CancellationToken ct)
    {
        using var me = request(HttpMethod.Get, "2/users/me");
        using var meResponse = await http.SendAsync(me, ct);
        var meBody = await meResponse.Content.ReadAsStringAsync(ct);
        if (!meResponse.IsSuccessStatusCode)
        {
            return (null, PublisherHttp.Failure("X", "checking for an earlier attempt", meResponse, meBody, clock.GetUtcNow()));
        }

        var userId = JsonNode.Parse(meBody)?["data"]?["id"]?.GetValue<string>();
        var start = since.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var timeline = request(HttpMethod.Get, $"2/users/{Uri.EscapeDataString(userId ?? "")}/tweets?max_results=100&start_time={start}");
        using var response = await http.SendAsync(timeline, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            return (null, PublisherHttp.Failure("X", "checking for an earlier attempt", response, body, clock.GetUtcNow()));
        }

        var found = (JsonNode.Parse(body)?["data"] as JsonArray ?? [])
            .Select(t => (Id: t?["id"]?.GetValue<string>() ?? "", Text: t?["text"]?.GetValue<string>() ?? ""))
            .Where(t => t.Id.Length > 0).ToList();
        return (found, null);
    }

    [GeneratedRegex(@"https?://\S+", RegexOptions.CultureInvariant)]
    private static partial Regex Url();

    /// <summary>Same words, links compared as "a link" (X returns them as t.co), whitespace and HTML entities normalised.</summary>
    public static bool SameText(string onNetwork, string ours)
    {
        static string Norm(string s) => string.Join(' ', Url().Replace(System.Net.WebUtility.HtmlDecode(s), "<link>")
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return string.Equals(Norm(onNetwork), Norm(ours), StringComparison.Ordinal);
    }
}
