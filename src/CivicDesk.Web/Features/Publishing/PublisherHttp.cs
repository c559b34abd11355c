using System.Globalization;
using System.Net;
using System.Text.Json;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>Turns a network's HTTP answer into a <see cref="PublishResult"/> failure with words staff can act on.</summary>
internal static class PublisherHttp
{
    /// <summary>
    /// 429: transient, retry after the network's reset time; 5xx: transient and ambiguous (the post may exist);
    /// 401/403: the credentials need renewing; other 4xx: the network refused the content.
    /// </summary>
    public static PublishResult Failure(string network, string step, HttpResponseMessage response, string body, DateTimeOffset now)
    {
        var status = (int)response.StatusCode;
        var message = ErrorMessage(body);
        var detail = message is null ? "" : ": " + (message.Length > 300 ? message[..300] : message);
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => PublishResult.Transient($"{network} is rate limiting ({step}); it will be tried again{detail}", ambiguous: false, RetryAfter(response, now)),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => PublishResult.Refused($"{network} refused the account's credentials ({status}, {step}); an administrator must renew them under Connectors{detail}"),
            _ when status >= 500 => PublishResult.Transient($"{network} had an error ({status}, {step}); it will be tried again{detail}", ambiguous: true),
            _ => PublishResult.Refused($"{network} refused the post ({status}, {step}){detail}"),
        };
    }

    public static DateTimeOffset RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        foreach (var name in new[] { "x-rate-limit-reset", "X-RateLimit-Reset", "ratelimit-reset" })
        {
            if (response.Headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { } v)
            {
                if (long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
                {
                    // Epoch seconds, or (ratelimit-reset draft) seconds from now when small.
                    return epoch > 1_000_000_000 ? DateTimeOffset.FromUnixTimeSeconds(epoch) : now.AddSeconds(epoch);
                }

                if (DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    return at;
                }
            }
        }

        return response.Headers.RetryAfter?.Delta is { } delta ? now + delta
            : response.Headers.RetryAfter?.Date is { } date ? date
            : now.AddMinutes(1);
    }

    /// <summary>The network's own error text: Mastodon {error}, XRPC {message}, X {detail}/{title}, Graph {error:{message}}.</summary>
    public static string? ErrorMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("error", out var e))
            {
                if (e.ValueKind == JsonValueKind.String)
                {
                    return root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? $"{e.GetString()}: {m.GetString()}" : e.GetString();
                }

                if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var gm))
                {
                    return gm.GetString();
                }
            }

            if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
            {
                return d.GetString();
            }

            return root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
