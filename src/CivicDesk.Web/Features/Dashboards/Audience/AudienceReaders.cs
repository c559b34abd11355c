using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Publishing;

namespace CivicDesk.Web.Features.Dashboards.Audience;

/// <summary>
/// An account's figures as one network reported them; null where the network has no such figure. <paramref name="Reach"/>
/// is the people reached on the network's latest full day (Facebook Page insights only).
/// </summary>
public sealed record AccountFigures(long? Followers, long? Following, long? Posts, string Source, long? Reach = null);

/// <summary>
/// One post's reactions as the network counted them; null where the network has no such count. <paramref name="Views"/>
/// is how often it was seen (X impressions, Facebook people reached), null where the network does not say.
/// </summary>
public sealed record PostFigures(string RemoteId, long? Likes, long? Reposts, long? Replies, long? Quotes, long? Views = null);

/// <summary>The posts read, by remote id, and those the network says no longer exist (deleted, or never visible).</summary>
public sealed record PostFiguresBatch(IReadOnlyDictionary<string, PostFigures> Found, IReadOnlyList<string> NotFound, string Source);

/// <summary>
/// A read that failed, in words staff can act on. Nothing of the read is stored; the account is tried again at
/// <see cref="RetryAt"/> (a rate limit's reset time) or after the job's retry delay.
/// </summary>
public sealed class AudienceReadException(string message, DateTimeOffset? retryAt = null, Exception? inner = null, int? status = null) : Exception(message, inner)
{
    public DateTimeOffset? RetryAt { get; } = retryAt;

    /// <summary>The network's HTTP status when it answered with an error; null when it did not answer or the answer was unusable.</summary>
    public int? Status { get; } = status;
}

/// <summary>
/// Reads an account's audience (followers, following, posts) and its published posts' reactions from one network,
/// over the network's own HTTP API with the channel's connection settings and secrets (the same ones the
/// publishers and connectors use). Throws <see cref="AudienceReadException"/> for anything that went wrong.
/// </summary>
public interface IAudienceReader
{
    ChannelKind Kind { get; }

    Task<AccountFigures> ReadAccountAsync(ConnectorContext account, CancellationToken ct);

    /// <param name="account">The channel's connection.</param>
    /// <param name="remoteIds">The posts' ids as the publisher recorded them (status id, at:// URI, tweet id, Page post id).</param>
    /// <param name="ct">Cancels the reads.</param>
    Task<PostFiguresBatch> ReadPostsAsync(ConnectorContext account, IReadOnlyList<string> remoteIds, CancellationToken ct);
}

/// <summary>GET a JSON object, turning every way it can fail into an <see cref="AudienceReadException"/>.</summary>
internal static class AudienceHttp
{
    /// <summary>Answers at most this long are read; a figure never needs more.</summary>
    private const int MaxBody = 4 * 1024 * 1024;

    /// <returns>The JSON object, or null for a 404 when <paramref name="notFoundIsNull"/>.</returns>
    public static async Task<JsonObject?> GetObjectAsync(HttpClient http, HttpRequestMessage request, string network, string step, TimeProvider clock,
        CancellationToken ct, bool notFoundIsNull = false)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new AudienceReadException($"{network} could not be reached ({step}): {ex.Message}", inner: ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new AudienceReadException($"{network} did not answer in time ({step})", inner: ex);
        }

        using (response)
        {
            string body;
            try
            {
                body = await ReadBodyAsync(response, network, step, ct);
            }
            catch (HttpRequestException ex)
            {
                throw new AudienceReadException($"{network}'s answer was cut off ({step}): {ex.Message}", inner: ex);
            }

            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                var message = PublisherHttp.ErrorMessage(body);
                var detail = message is null ? "" : ": " + (message.Length > 300 ? message[..300] : message);
                throw response.StatusCode switch
                {
                    HttpStatusCode.TooManyRequests => new AudienceReadException(
                        $"{network} is rate limiting ({step}); it will be read again after its limit resets{detail}",
                        PublisherHttp.RetryAfter(response, clock.GetUtcNow()), status: status),
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new AudienceReadException(
                        $"{network} refused the account's credentials ({status}, {step}); an administrator must renew them under Connectors{detail}", status: status),
                    _ when status >= 500 => new AudienceReadException($"{network} had an error ({status}, {step}); it will be read again{detail}", status: status),
                    _ => new AudienceReadException($"{network} refused the request ({status}, {step}){detail}", status: status),
                };
            }

            try
            {
                return JsonNode.Parse(body) as JsonObject
                    ?? throw new AudienceReadException($"{network}'s answer ({step}) was not a JSON object");
            }
            catch (JsonException ex)
            {
                throw new AudienceReadException($"{network}'s answer ({step}) was not valid JSON", inner: ex);
            }
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, string network, string step, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxBody)
        {
            throw new AudienceReadException($"{network}'s answer ({step}) was larger than any figure needs");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        var text = new System.Text.StringBuilder();
        var buffer = new char[16 * 1024];
        int n;
        while ((n = await reader.ReadAsync(buffer.AsMemory(), ct)) > 0)
        {
            if (text.Length + n > MaxBody)
            {
                throw new AudienceReadException($"{network}'s answer ({step}) was larger than any figure needs");
            }

            text.Append(buffer, 0, n);
        }

        return text.ToString();
    }

    /// <summary>A count the network must give: a whole number ≥ 0, else the answer is malformed.</summary>
    public static long Required(JsonNode? parent, string name, string network, string what) =>
        Optional(parent, name, network, what) ?? throw new AudienceReadException($"{network}'s {what} had no {name}");

    /// <summary>A count the network may leave out (older servers, figures it does not publish); present but not a whole number ≥ 0 is malformed.</summary>
    public static long? Optional(JsonNode? parent, string name, string network, string what)
    {
        var node = parent is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v : null;
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value)
        {
            if (value.TryGetValue<long>(out var l) && l >= 0)
            {
                return l;
            }

            if (value.TryGetValue<double>(out var d) && d >= 0 && d == Math.Floor(d) && d < long.MaxValue)
            {
                return (long)d;
            }

            // X and the Graph API document integers; a string of digits is accepted, anything else is not.
            if (value.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
        }

        throw new AudienceReadException($"{network}'s {what} had {name} that is not a count");
    }

    /// <summary>The first of the names that is present (X renamed retweet_count to repost_count and tweet_count to post_count).</summary>
    public static long? OptionalEither(JsonNode? parent, string first, string second, string network, string what) =>
        Optional(parent, first, network, what) ?? Optional(parent, second, network, what);

    public static string? Setting(ConnectorContext account, string name) =>
        account.Settings.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
}
