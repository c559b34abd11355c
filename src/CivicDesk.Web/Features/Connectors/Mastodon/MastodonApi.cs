using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CivicDesk.Web.Features.Connectors.Mastodon;

/// <summary>The server said "too many requests": wait until <see cref="Reset"/>.</summary>
public sealed class MastodonRateLimitedException(DateTimeOffset reset) : Exception($"Rate limited until {reset:O}")
{
    public DateTimeOffset Reset { get; } = reset;
}

/// <summary>A 5xx or an unexpected status: retry with backoff. <see cref="Fatal"/> for 401/403, which waiting will not fix.</summary>
public sealed class MastodonHttpException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public bool Fatal => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}

/// <summary>The REST calls the connector makes, with the bearer token on each request (never on the shared client).</summary>
public sealed class MastodonApi(HttpClient http, Uri baseUrl, string accessToken, TimeProvider time)
{
    /// <summary>Pages followed in one catch-up before giving up on older gaps (40 items a page).</summary>
    public const int MaxCatchUpPages = 25;
    public const int PageSize = 40;

    public Uri BaseUrl => baseUrl;

    public HttpRequestMessage Request(HttpMethod method, string pathAndQuery) => Request(method, new Uri(baseUrl, pathAndQuery));

    public HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    /// <summary>
    /// Everything newer than <paramref name="sinceId"/>, oldest first. Mastodon pages newest first and its <c>Link</c>
    /// "next" URL carries <c>max_id</c> but not <c>since_id</c>, so pages are followed until one is empty, reaches
    /// <paramref name="sinceId"/>, or the page cap is hit.
    /// </summary>
    public async Task<List<T>> CatchUpAsync<T>(string firstPage, string sinceId, Func<string, List<T>> parse, Func<T, string> id, CancellationToken ct)
    {
        var found = new Dictionary<string, T>(StringComparer.Ordinal);
        Uri? next = new(baseUrl, firstPage);
        for (var page = 0; next is not null && page < MaxCatchUpPages; page++)
        {
            using var request = Request(HttpMethod.Get, next);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            await EnsureSuccessAsync(response, ct);
            var items = parse(await response.Content.ReadAsStringAsync(ct));
            var reachedSince = false;
            foreach (var item in items)
            {
                if (MastodonIds.Compare(id(item), sinceId) <= 0)
                {
                    reachedSince = true;
                    continue;
                }

                found.TryAdd(id(item), item);
            }

            next = items.Count == 0 || reachedSince ? null : NextLink(response);
        }

        return [.. found.Values.OrderBy(id, MastodonIds.Comparer)];
    }

    public async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new MastodonRateLimitedException(RateLimitReset(response, time.GetUtcNow()));
        }

        var error = await ReadErrorAsync(response, ct);
        throw new MastodonHttpException(response.StatusCode, $"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri?.AbsolutePath}{(error is null ? "" : ": " + error)}");
    }

    /// <summary>Mastodon's own error text (<c>{"error": "…"}</c>), which describes the request, not the citizen.</summary>
    public static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync(MastodonJson.Default.MastodonError, ct);
            return body?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>X-RateLimit-Reset</c> is an ISO 8601 time on Mastodon (https://docs.joinmastodon.org/api/rate-limits/);
    /// a number is read as epoch seconds and <c>Retry-After</c> as a fallback; with neither, a minute.
    /// </summary>
    public static DateTimeOffset RateLimitReset(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values) && values.FirstOrDefault() is { } reset)
        {
            if (long.TryParse(reset, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
            {
                return DateTimeOffset.FromUnixTimeSeconds(epoch);
            }

            if (DateTimeOffset.TryParse(reset, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return at;
            }
        }

        if (response.Headers.RetryAfter is { } retry)
        {
            return retry.Date ?? now + (retry.Delta ?? TimeSpan.FromMinutes(1));
        }

        return now.AddMinutes(1);
    }

    /// <summary>The <c>rel="next"</c> URL of an RFC 8288 <c>Link</c> header.</summary>
    public static Uri? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var part in string.Join(',', values).Split(','))
        {
            var open = part.IndexOf('<', StringComparison.Ordinal);
            var close = part.IndexOf('>', StringComparison.Ordinal);
            if (open < 0 || close < open)
            {
                continue;
            }

            var parameters = part[(close + 1)..];
            if (parameters.Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase) || parameters.Contains("rel=next", StringComparison.OrdinalIgnoreCase))
            {
                return Uri.TryCreate(part[(open + 1)..close], UriKind.Absolute, out var next) ? next : null;
            }
        }

        return null;
    }
}

/// <summary>Mastodon ids are decimal strings (snowflakes) that outgrow a long on some forks: compare by length, then ordinally.</summary>
public static class MastodonIds
{
    public static readonly IComparer<string> Comparer = Comparer<string>.Create(Compare);

    public static int Compare(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }

    public static string? Max(string? a, string? b) => Compare(a, b) >= 0 ? a : b;
}
