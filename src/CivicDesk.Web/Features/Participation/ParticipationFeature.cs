using System.Threading.RateLimiting;

namespace CivicDesk.Web.Features.Participation;

/// <summary>Citizen accounts, challenges and consultations, moderation, outcomes, open-data export (issue 10).</summary>
public static class ParticipationFeature
{
    /// <summary>Rate-limit policy for "send me a sign-in link" (per client address).</summary>
    public const string SignInRateLimit = "citizen-sign-in";
    /// <summary>Rate-limit policy for citizens' contributions: ideas, comments, supports, reports, map features.</summary>
    public const string ContributeRateLimit = "citizen-contribute";

    public static WebApplicationBuilder AddParticipationFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CitizenOptions>().BindConfiguration(CitizenOptions.Section);
        var citizen = builder.Configuration.GetSection(CitizenOptions.Section).Get<CitizenOptions>() ?? new CitizenOptions();

        builder.Services.AddAuthentication().AddCookie(CitizenAuth.Scheme, o =>
        {
            o.Cookie.Name = "civicdesk.citizen";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = citizen.SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = "/participate/sign-in";
            o.AccessDeniedPath = "/participate/sign-in";
        });

        builder.Services.Configure<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>(o =>
        {
            // Only the POST that sends a mail counts; reading the form does not.
            o.AddPolicy(SignInRateLimit, ctx => HttpMethods.IsPost(ctx.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = citizen.RequestsPerAddressPerTenMinutes, Window = TimeSpan.FromMinutes(10) })
                : RateLimitPartition.GetNoLimiter("read"));
            // Per signed-in account where there is one (the cookie's value is per browser), else per client address.
            o.AddPolicy(ContributeRateLimit, ctx => RateLimitPartition.GetTokenBucketLimiter(
                ctx.Request.Cookies["civicdesk.citizen"] is { Length: > 32 } c ? "c:" + c[^32..] : "ip:" + ctx.Connection.RemoteIpAddress,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = builder.Configuration.GetValue("Citizens:ContributionBurst", 60),
                    TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(2), QueueLimit = 0, AutoReplenishment = true,
                }));
        });

        builder.Services.AddScoped<CitizenSession>();
        builder.Services.AddScoped<CitizenSignIn>();
        builder.Services.AddScoped<ChallengeService>();
        builder.Services.AddScoped<ParticipationNotifier>();
        builder.Services.AddScoped<MapProjects>();
        builder.Services.AddSingleton<MarkdownRenderer>();
        return builder;
    }

}
