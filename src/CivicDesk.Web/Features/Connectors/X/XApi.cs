using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CivicDesk.Web.Features.Connectors.X;

/// <summary>429 Too Many Requests: wait until <see cref="Reset"/> (<c>x-rate-limit-reset</c>, epoch seconds).</summary>
public sealed class XRateLimitedException(DateTimeOffset reset) : Exception($"Rate limited until {reset:O}")
{
    public DateTimeOffset Reset { get; } = reset;
}

/// <summary>Any other failure status, with X's problem details (title, detail, reason) when the body has them.</summary>
public sealed class XHttpException(HttpStatusCode status, string? title, string? detail, string? reason)
    : Exception($"{(int)status} {title}{(detail is null ? "" : ": " + detail)}")
{
    public HttpStatusCode Status { get; } = status;
    public string? Title { get; } = title;
    public string? Detail { get; } = detail;
    public string? Reason { get; } = reason;

    /// <summary>The app's access level does not include this endpoint (filtered stream needs a paid tier).</summary>
    public bool NotEnrolled => Status == HttpStatusCode.Forbidden
        && (Reason is "client-not-enrolled" || (Title?.Contains("Client Forbidden", StringComparison.OrdinalIgnoreCase) ?? false)
            || (Title?.Contains("Unsupported Authentication", StringComparison.OrdinalIgnoreCase) ?? false));

    public bool Fatal => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}

/// <summary>Requests to the X API v2 with a bearer token per request, and the account's rate-limit budget as the headers last reported it.</summary>
public sealed class XApi(HttpClient http, Uri baseUrl, string bearerToken, TimeProvider time)
{
    private DateTimeOffset? _exhaustedUntil;

    public HttpClient Http => http;

    public HttpRequestMessage Request(HttpMethod method, string pathAndQuery)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUrl, pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        return request;
    }

    /// <summary>If the last response said <c>x-rate-limit-remaining: 0</c>, waits until its <c>x-rate-limit-reset</c> first.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        if (_exhaustedUntil is { } until && until > time.GetUtcNow())
        {
            await Task.Delay(until - time.GetUtcNow(), time, ct);
        }

        _exhaustedUntil = null;
        var response = await http.SendAsync(request, completion, ct);
        if (response.IsSuccessStatusCode && Header(response, "x-rate-limit-remaining") is "0")
        {
            _exhaustedUntil = Reset(response, time.GetUtcNow());
        }

        return response;
    }

    public async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new XRateLimitedException(Reset(response, time.GetUtcNow()));
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        string? title = null, detail = null, reason = null;
        try
        {
            var problem = JsonSerializer.Deserialize(body, XJson.Default.XResponse);
            var first = problem?.Errors is { Count: > 0 } errors ? errors[0] : null;
            title = problem?.Title ?? first?.Title;
            detail = problem?.Detail ?? first?.Detail ?? first?.Message;
            reason = problem?.Reason ?? first?.Reason;
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's HTML page): the status code says enough.
        }

        throw new XHttpException(response.StatusCode, title ?? response.ReasonPhrase, detail, reason);
    }

    /// <summary><c>x-rate-limit-reset</c> is the end of the window in epoch seconds; without it, a minute.</summary>
    public static DateTimeOffset Reset(HttpResponseMessage response, DateTimeOffset now) =>
        long.TryParse(Header(response, "x-rate-limit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : response.Headers.RetryAfter?.Delta is { } delta ? now + delta : now.AddMinutes(1);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
