using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.Mastodon;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>
/// Mastodon: each image through <c>POST /api/v2/media</c> with its description (alt text), waiting for processing
/// when the server answers 202, then <c>POST /api/v1/statuses</c> with the media ids and an <c>Idempotency-Key</c>
/// that is the same on every attempt of the same part, so a retry after a lost answer (or a crash) never posts twice.
/// A thread's later parts reply to the part before.
/// </summary>
public sealed class MastodonPublisher(TimeProvider clock) : INetworkPublisher
{
    public ChannelKind Kind => ChannelKind.Mastodon;

    public async Task<PublishResult> PublishAsync(PublishJob job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        MastodonSettings settings;
        try
        {
            settings = MastodonSettings.Read(job.Connector);
        }
        catch (InvalidOperationException ex)
        {
            return PublishResult.Refused(ex.Message);
        }

        var api = new MastodonApi(job.Connector.Http, settings.BaseUrl, settings.AccessToken, clock);
        var posted = job.Posted.ToDictionary(p => p.Index);
        List<string>? mediaIds = null;
        for (var i = 0; i < job.Parts.Count; i++)
        {
            if (posted.ContainsKey(i))
            {
                continue;
            }

            if (i == 0 && job.Images.Count > 0)
            {
                mediaIds = [];
                foreach (var image in job.Images)
                {
                    var (mediaId, failure) = await UploadAsync(api, job.Connector.Http, image, ct);
                    if (failure is not null)
                    {
                        return failure;
                    }

                    mediaIds.Add(mediaId!);
                }
            }

            var status = new JsonObject { ["status"] = job.Parts[i], ["visibility"] = "public" };
            if (i == 0 && mediaIds is { Count: > 0 })
            {
                status["media_ids"] = new JsonArray([.. mediaIds.Select(m => (JsonNode)m)]);
            }

            if (i > 0)
            {
                status["in_reply_to_id"] = posted[i - 1].RemoteId;
            }

            using var request = api.Request(HttpMethod.Post, "api/v1/statuses");
            request.Headers.TryAddWithoutValidation("Idempotency-Key", $"{job.IdempotencyKey}-{i}");
            request.Content = JsonContent.Create(status);
            using var response = await job.Connector.Http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                return PublisherHttp.Failure("Mastodon", "posting the status", response, body, clock.GetUtcNow());
            }

            var node = JsonNode.Parse(body);
            var id = node?["id"]?.GetValue<string>();
            if (id is null)
            {
                return PublishResult.Transient("Mastodon accepted the status but returned no id", ambiguous: true);
            }

            var part = new PostedPart(i, id, node?["url"]?.GetValue<string>() ?? node?["uri"]?.GetValue<string>());
            await job.RecordPartAsync(part, ct);
            posted[i] = part;
        }

        return PublishResult.Success(posted[0]);
    }

    private async Task<(string? Id, PublishResult? Failure)> UploadAsync(MastodonApi api, HttpClient http, OutgoingImage image, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image.Data);
        file.Headers.ContentType = new MediaTypeHeaderValue(image.ContentType);
        form.Add(file, "file", image.FileName);
        form.Add(new StringContent(image.AltText), "description");
        using var request = api.Request(HttpMethod.Post, "api/v2/media");
        request.Content = form;
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            return (null, PublisherHttp.Failure("Mastodon", $"uploading {image.FileName}", response, body, clock.GetUtcNow()));
        }

        var id = JsonNode.Parse(body)?["id"]?.GetValue<string>();
        if (id is null)
        {
            return (null, PublishResult.Transient("Mastodon accepted the image but returned no id", ambiguous: false));
        }

        // 202: processed asynchronously; the status can attach it only once GET /api/v1/media/:id has a url.
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            for (var wait = 0; wait < 30; wait++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
                using var check = api.Request(HttpMethod.Get, $"api/v1/media/{Uri.EscapeDataString(id)}");
                using var checkResponse = await http.SendAsync(check, ct);
                if (checkResponse.StatusCode == HttpStatusCode.OK)
                {
                    var url = JsonNode.Parse(await checkResponse.Content.ReadAsStringAsync(ct))?["url"];
                    if (url is not null && url.GetValueKind() == JsonValueKind.String)
                    {
                        return (id, null);
                    }
                }
            }

            return (null, PublishResult.Transient($"Mastodon is still processing {image.FileName}", ambiguous: false));
        }

        return (id, null);
    }
}
