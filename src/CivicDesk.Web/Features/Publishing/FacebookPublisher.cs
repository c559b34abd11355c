using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.Facebook;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>
/// A Facebook Page: each image through <c>POST /{page-id}/photos</c> unpublished (with its alt text), then one
/// <c>POST /{page-id}/feed</c> with the message and the photos as <c>attached_media</c>. The Graph API has no
/// idempotency key, so when an earlier attempt's outcome is unknown the Page's recent posts are read back
/// (<c>GET /{page-id}/feed</c>) and a post with the same message counts as this one. The page id is the channel's
/// account; without one, "me" (a Page access token's own Page).
/// </summary>
public sealed class FacebookPublisher(TimeProvider clock) : INetworkPublisher
{
    public ChannelKind Kind => ChannelKind.Facebook;

    public async Task<PublishResult> PublishAsync(PublishJob job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.Connector.Secrets.TryGetValue(FacebookConnector.PageAccessToken, out var token) || token.Length == 0)
        {
            return PublishResult.Refused("the Facebook Page access token is not set: an administrator must configure it under Connectors");
        }

        if (job.Posted.FirstOrDefault(p => p.Index == 0) is { } done)
        {
            return PublishResult.Success(done);
        }

        var baseUrl = new Uri(job.Connector.Settings.GetValueOrDefault(FacebookConnector.GraphBaseUrl) is { Length: > 0 } b ? b.TrimEnd('/') + "/" : FacebookConnector.DefaultGraph);
        var page = Uri.EscapeDataString(string.IsNullOrWhiteSpace(job.Connector.Channel.Account) ? "me" : job.Connector.Channel.Account.Trim());
        var http = job.Connector.Http;
        HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
        {
            // The token goes in a header, not the URL, so it never lands in proxy or server logs.
            var request = new HttpRequestMessage(method, new Uri(baseUrl, path)) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("OAuth", token);
            return request;
        }

        var message = string.Join("\n\n", job.Parts);
        if (job.OutcomeUnknown)
        {
            using var feed = Request(HttpMethod.Get, $"{page}/feed?fields=id,message,created_time&limit=25");
            using var feedResponse = await http.SendAsync(feed, ct);
            var feedBody = await feedResponse.Content.ReadAsStringAsync(ct);
            if (!feedResponse.IsSuccessStatusCode)
            {
                return PublisherHttp.Failure("Facebook", "checking for an earlier attempt", feedResponse, feedBody, clock.GetUtcNow());
            }

            var match = (JsonNode.Parse(feedBody)?["data"] as JsonArray ?? [])
                .FirstOrDefault(p => string.Equals(p?["message"]?.GetValue<string>()?.Trim(), message.Trim(), StringComparison.Ordinal));
            if (match?["id"]?.GetValue<string>() is { } existingId)
            {
                var existing = new PostedPart(0, existingId, "https://www.facebook.com/" + existingId);
                await job.RecordPartAsync(existing, ct);
                return PublishResult.Success(existing);
            }
        }

        var photoIds = new List<string>();
        foreach (var image in job.Images)
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(image.Data);
            file.Headers.ContentType = new MediaTypeHeaderValue(image.ContentType);
            form.Add(file, "source", image.FileName);
            form.Add(new StringContent("false"), "published");
            form.Add(new StringContent(image.AltText), "alt_text_custom");
            using var upload = Request(HttpMethod.Post, $"{page}/photos", form);
            using var uploaded = await http.SendAsync(upload, ct);
            var body = await uploaded.Content.ReadAsStringAsync(ct);
            if (!uploaded.IsSuccessStatusCode)
            {
                return PublisherHttp.Failure("Facebook", $"uploading {image.FileName}", uploaded, body, clock.GetUtcNow());
            }

            if (JsonNode.Parse(body)?["id"]?.GetValue<string>() is not { } photoId)
            {
                return PublishResult.Transient("Facebook accepted the photo but returned no id", ambiguous: false);
            }

            photoIds.Add(photoId);
        }

        var fields = new List<KeyValuePair<string, string>> { new("message", message) };
        for (var i = 0; i < photoIds.Count; i++)
        {
            fields.Add(new($"attached_media[{i}]", new JsonObject { ["media_fbid"] = photoIds[i] }.ToJsonString()));
        }

        using var post = Request(HttpMethod.Post, $"{page}/feed", new FormUrlEncodedContent(fields));
        using var response = await http.SendAsync(post, ct);
        var postBody = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            return PublisherHttp.Failure("Facebook", "posting", response, postBody, clock.GetUtcNow());
        }

        if (JsonNode.Parse(postBody)?["id"]?.GetValue<string>() is not { } id)
        {
            return PublishResult.Transient("Facebook accepted the post but returned no id", ambiguous: true);
        }

        var part = new PostedPart(0, id, "https://www.facebook.com/" + id);
        await job.RecordPartAsync(part, ct);
        return PublishResult.Success(part);
    }
}
