using System.Net;
using System.Threading.RateLimiting;
using CivicDesk.Web.Platform.Email;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Platform;

/// <summary>Cross-cutting wiring: pages, errors, security headers, rate limits, data protection, health.</summary>
public static class PlatformFeature
{
    /// <summary>Rate-limit policy for citizen-facing pages and submissions (per client address).</summary>
    public const string PublicRateLimit = "public";
    /// <summary>Rate-limit policy for form posts from citizens (stricter than page views).</summary>
    public const string PublicSubmitRateLimit = "public-submit";
    /// <summary>Rate-limit policy for the machine ingest API (per client address).</summary>
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
        builder.Services.AddPublicPageCache(builder.Configuration);
        // One tile server for every map: written into each page by the layouts, allowed by the CSP below.
        builder.Services.AddOptions<MapTileOptions>().BindConfiguration(MapTileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MapTileOptions>, MapTileOptions.Validator>();

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
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddCivicDeskDataProtection(builder.Configuration, dataDir);

        // HSTS only ever goes out on HTTPS responses (the middleware checks), so plain-HTTP development is unaffected.
        builder.Services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = false;
        });

        // Behind a reverse proxy every citizen arrives from the proxy's address: only a proxy named in configuration is
        // believed about the real client (X-Forwarded-For / -Proto), so rate limits and logs see citizens, not the proxy.
        builder.Services.Configure<ForwardedHeadersOptions>(o => ConfigureForwardedHeaders(o, builder.Configuration));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            var pageViews = builder.Configuration.GetValue("RateLimits:PublicPageViewsPerMinute", 120);
            o.AddPolicy(PublicRateLimit, ctx => RateLimitPartition.GetFixedWindowLimiter(ClientKey(ctx),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = pageViews, Window = TimeSpan.FromMinutes(1) }));
            o.AddPolicy(PublicSubmitRateLimit, ctx => RateLimitPartition.GetFixedWindowLimiter(ClientKey(ctx),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = builder.Configuration.GetValue("RateLimits:PublicSubmitsPerTenMinutes", 20), Window = TimeSpan.FromMinutes(10) }));
            // Partitioned by the client's address, which the server knows, never by anything the client sends: a key
            // prefix let one client open a fresh bucket per made-up key.
            var ingestBurst = builder.Configuration.GetValue("RateLimits:IngestBurst", 2_000);
            var ingestPerSecond = builder.Configuration.GetValue("RateLimits:IngestPerSecond", 1_000);
            var ingestPeriod = builder.Configuration.GetValue("RateLimits:IngestReplenishPeriod", TimeSpan.FromSeconds(1));
            o.AddPolicy(IngestRateLimit, ctx => RateLimitPartition.GetTokenBucketLimiter(ClientKey(ctx),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = ingestBurst, TokensPerPeriod = ingestPerSecond, ReplenishmentPeriod = ingestPeriod, QueueLimit = 0, AutoReplenishment = true,
                }));
        });
        return builder;
    }

    /// <summary>
    /// The client's address: after <c>UseForwardedHeaders</c> this is the citizen's address as a trusted proxy reported
    /// it, else the connecting address. IPv4-mapped IPv6 addresses count as their IPv4 address.
    /// </summary>
    internal static string ClientKey(HttpContext ctx) => ctx.Connection.RemoteIpAddress is { } ip
        ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : "unknown";

    /// <summary>
    /// <c>ReverseProxy:KnownProxies</c> (addresses) and <c>ReverseProxy:KnownNetworks</c> (CIDR, e.g. 10.0.0.0/8).
    /// ASP.NET Core trusts loopback by default; here nothing is trusted unless configured (and the middleware is not
    /// used at all then), so a site exposed directly cannot be fooled by a forged X-Forwarded-For. One hop is read (the address the trusted proxy saw).
    /// </summary>
    internal static void ConfigureForwardedHeaders(ForwardedHeadersOptions o, IConfiguration configuration)
    {
        o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        o.KnownProxies.Clear();
        o.KnownIPNetworks.Clear();
        foreach (var proxy in configuration.GetSection("ReverseProxy:KnownProxies").Get<string[]>() ?? [])
        {
            o.KnownProxies.Add(IPAddress.TryParse(proxy.Trim(), out var ip) ? ip
                : throw new InvalidOperationException($"ReverseProxy:KnownProxies: '{proxy}' is not an IP address."));
        }

        foreach (var network in configuration.GetSection("ReverseProxy:KnownNetworks").Get<string[]>() ?? [])
        {
            o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network.Trim(), out var n) ? n
                : throw new InvalidOperationException($"ReverseProxy:KnownNetworks: '{network}' is not a network in CIDR notation (10.0.0.0/8)."));
        }
    }

    /// <summary>
    /// One key ring for the web app and the command line. Optional encryption at rest: whoever copies the data
    /// directory (a backup, a disk image) then also needs the certificate's private key to read connector secrets or
    /// forge sign-in cookies.
    /// </summary>
    public static IServiceCollection AddCivicDeskDataProtection(this IServiceCollection services, IConfiguration configuration, string dataDir)
    {
        var dataProtection = services.AddDataProtection()
            .SetApplicationName("CivicDesk")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, "keys")));
        if (configuration[$"{SecurityOptions.Section}:{nameof(SecurityOptions.KeyEncryptionCertificatePath)}"] is { Length: > 0 } certificatePath)
        {
            var password = configuration[$"{SecurityOptions.Section}:{nameof(SecurityOptions.KeyEncryptionCertificatePassword)}"];
            var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"The key-encryption certificate {certificatePath} has no private key, so the key ring could not be read back.");
            }

            dataProtection.ProtectKeysWithCertificate(certificate);
        }

        return services;
    }

    public static WebApplication UsePlatform(this WebApplication app)
    {
        // APIs: IExceptionHandler (ApiExceptionHandler) writes problem+json. Pages: the friendly /error page outside
        // Development. Branching on the path first matters: the page handler rewrites the path before re-executing.
        // First, so everything after it (rate limits, logs, HTTPS redirects) sees the real client. Only with a trusted
        // proxy configured: with empty KnownProxies and KnownIPNetworks the middleware would believe any sender.
        var forwarded = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ForwardedHeadersOptions>>().Value;
        if (forwarded.KnownProxies.Count > 0 || forwarded.KnownIPNetworks.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseWhen(Http.IsApi, api => api.UseExceptionHandler());
        if (!app.Environment.IsDevelopment())
        {
            app.UseWhen(c => !Http.IsApi(c), ui => ui.UseExceptionHandler("/error"));
        }

        app.UseWhen(Http.IsApi, api => api.UseStatusCodePages());
        app.UseWhen(c => !Http.IsApi(c), ui => ui.UseStatusCodePagesWithReExecute("/error/{0}"));
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        // Map tiles are the only images from elsewhere: img-src allows exactly the configured tile server.
        var tiles = MapTileOptions.CspSource(app.Services.GetRequiredService<IOptions<MapTileOptions>>().Value.TileUrlTemplate);
        var contentSecurityPolicy = $"default-src 'self'; img-src 'self' data:{(tiles is null ? "" : " " + tiles)}; " +
                                    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";
        app.Use(async (ctx, next) =>
        {
            // Citizen text is output-encoded by Razor; these headers are the second line of defence.
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "same-origin";
            h.ContentSecurityPolicy = contentSecurityPolicy;
            await next(ctx);
        });
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseOrganisationFromUser();
        app.UseAuthorization();
        // After the rate limiter (a cached page still counts against the citizen's limit) and after authentication
        // (the default rules skip signed-in users, who must see their own view).
        app.UseOutputCache();
        return app;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        // /health: the process is up. /ready: it can reach its database (migrations applied at start-up).
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        return app;
    }
}
