using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Open311;

public static class Open311Feature
{
    /// <summary>Rate-limit policy for /open311: per client address.</summary>
    public const string RateLimit = "open311";

    /// <summary>When what this server offers last changed (discovery <c>changeset</c>).</summary>
    public static readonly DateTimeOffset Changeset = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    public static WebApplicationBuilder AddOpen311Feature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<Open311Options>().BindConfiguration(Open311Options.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Open311Directory>();
        builder.Services.AddScoped<Open311ClientKeys>();
        builder.Services.AddScoped<IOpen311Cases, CaseOpen311Cases>();
        builder.Services.AddRateLimiter(o => o.AddPolicy<string, Open311RateLimitPolicy>(RateLimit));
        return builder;
    }
}

/// <summary>
/// A token bucket per client address whose refusal is the spec's error document with 429, so clients parse it
/// like any other error (the platform default would be an empty 429 turned into an HTML page).
/// </summary>
internal sealed class Open311RateLimitPolicy(IOptions<Open311Options> options) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, ct) =>
    {
        var http = context.HttpContext;
        http.Response.Headers.RetryAfter = "10";
        var format = http.Request.Path.Value?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) == true ? Open311Format.Json : Open311Format.Xml;
        await Open311Result.Failure(format, new Open311Failure(StatusCodes.Status429TooManyRequests,
            [new Open311Error(429, "Too many requests: wait a few seconds and try again")])).ExecuteAsync(http);
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var perMinute = options.Value.RequestsPerMinute;
        return RateLimitPartition.GetTokenBucketLimiter(PartitionKey(httpContext), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute, TokensPerPeriod = Math.Max(1, perMinute / 6), ReplenishmentPeriod = TimeSpan.FromSeconds(10), QueueLimit = 0, AutoReplenishment = true,
        });
    }

    // The client's address, which the server knows: an api_key in the query is the client's to choose, so partitioning
    // by it let one client open a fresh bucket per made-up key (and a real key is checked only later, in the handler).
    internal static string PartitionKey(HttpContext ctx) => "ip:" + (ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
