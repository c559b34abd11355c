using System.Threading.RateLimiting;
using CivicDesk.Web.Platform.Email;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace CivicDesk.Web.Platform;

/// <summary>Cross-cutting wiring: pages, errors, security headers, rate limits, data protection, health.</summary>
public static class PlatformFeature
{
    /// <summary>Rate-limit policy for citizen-facing pages and submissions (per client address).</summary>
    public const string PublicRateLimit = "public";
    /// <summary>Rate-limit policy for form posts from citizens (stricter than page views).</summary>
    public const string PublicSubmitRateLimit = "public-submit";
    /// <summary>Rate-limit policy for the machine ingest API (per API key prefix or client address).</summary>
    public const string IngestRateLimit = "ingest";

    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        var dataDir = DataDirectory.Resolve(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        // Least-privilege rules for staff, shared by the inbox, cases, templates, SLA and triage pages.
        builder.Services.AddScoped<ConversationAccess>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddCitizenEmail();

        builder.Services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Features";
            o.Conventions.AuthorizeFolder("/Inbox", Policies.Staff);
            o.Conventions.AuthorizeFolder("/Routing", Policies.Admin);
            o.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
        });
        // htmx sends the token in this header (see _StaffLayout: hx-headers).
        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = "RequestVerificationToken";
            o.Cookie.Name = "civicdesk.af";
        });
        builder.Services.AddDataProtection()
            .SetApplicationName("CivicDesk")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, "keys")));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(PublicRateLimit, ctx => RateLimitPartition.GetFixedWindowLimiter(ClientKey(ctx),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 120, Window = TimeSpan.FromMinutes(1) }));
            o.AddPolicy(PublicSubmitRateLimit, ctx => RateLimitPartition.GetFixedWindowLimiter(ClientKey(ctx),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = builder.Configuration.GetValue("RateLimits:PublicSubmitsPerTenMinutes", 20), Window = TimeSpan.FromMinutes(10) }));
            o.AddPolicy(IngestRateLimit, ctx => RateLimitPartition.GetTokenBucketLimiter(
                ctx.Request.Headers["X-Api-Key"].ToString() is { Length: >= 8 } key ? "key:" + key[..8] : ClientKey(ctx),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = 2_000, TokensPerPeriod = 1_000, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
                }));
        });
        return builder;
    }

    private static string ClientKey(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public static WebApplication UsePlatform(this WebApplication app)
    {
        // APIs: IExceptionHandler (ApiExceptionHandler) writes problem+json. Pages: the friendly /error page outside
        // Development. Branching on the path first matters: the page handler rewrites the path before re-executing.
        app.UseWhen(Http.IsApi, api => api.UseExceptionHandler());
        if (!app.Environment.IsDevelopment())
        {
            app.UseWhen(c => !Http.IsApi(c), ui => ui.UseExceptionHandler("/error"));
        }

        app.UseWhen(Http.IsApi, api => api.UseStatusCodePages());
        app.UseWhen(c => !Http.IsApi(c), ui => ui.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.Use(async (ctx, next) =>
        {
            // Citizen text is output-encoded by Razor; these headers are the second line of defence.
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "same-origin";
            h.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: https://*.tile.openstreetmap.org; " +
                                      "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";
            await next(ctx);
        });
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseOrganisationFromUser();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        // /health: the process is up. /ready: it can reach its database (migrations applied at start-up).
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}
