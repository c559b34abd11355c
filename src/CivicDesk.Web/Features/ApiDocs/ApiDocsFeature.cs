using System.Security.Cryptography;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CivicDesk.Web.Features.ApiDocs;

/// <summary>Where the API description is published (section <c>ApiDocs</c>).</summary>
public sealed class ApiDocsOptions
{
    public const string Section = "ApiDocs";

    /// <summary>Serve the OpenAPI 3.1 document at <c>/openapi/v1.json</c> (anonymous: it holds no data, only shapes).</summary>
    public bool Document { get; set; } = true;

    /// <summary>
    /// Serve the Scalar reference page at <c>/api/docs</c>. Unset: on in Development and in demo mode, off otherwise,
    /// so a production installation shows it only when someone decides to.
    /// </summary>
    public bool? ReferencePage { get; set; }
}

/// <summary>
/// The OpenAPI 3.1 description of the machine APIs (<c>/api/v1/*</c> and Open311 GeoReport v2) from the endpoints
/// themselves (Microsoft.AspNetCore.OpenApi), with the API-key schemes the handlers check, and a Scalar reference page.
/// A test compares the document with the mapped routes, so an endpoint cannot go undocumented.
/// </summary>
public static class ApiDocsFeature
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/docs";

    /// <summary>The description covers the machine APIs only; pages, feeds and webhooks receivers are not part of it.</summary>
    internal static bool IsDescribed(string? relativePath) =>
        relativePath is not null
        && (relativePath.StartsWith("api/v1/", StringComparison.OrdinalIgnoreCase) || relativePath.StartsWith("open311/", StringComparison.OrdinalIgnoreCase));

    public static WebApplicationBuilder AddApiDocsFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiDocsOptions>().BindConfiguration(ApiDocsOptions.Section);
        builder.Services.AddOpenApi(DocumentName, o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = d => IsDescribed(d.RelativePath);
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "CivicDesk API",
                    Version = "v1",
                    Description =
                        "Machine APIs of CivicDesk: `POST /api/v1/messages` hands citizen messages to the ingest pipeline " +
                        "(see docs/api.md), `POST /api/v1/cases/{reference}/updates` reports a back office's progress on a case, " +
                        "and `/open311/v2/` is an Open311 GeoReport v2 server with mySociety's extensions (docs/open311.md). " +
                        "Errors on `/api/v1` are RFC 9457 problem details; Open311 errors are the specification's error documents.",
                    License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiDescriptions.ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "X-Api-Key",
                    Description = "On `/api/v1/messages`: the ingest key of one channel (Admin → Channels), which decides the organisation " +
                                  "and channel. On `/api/v1/cases/{reference}/updates`: an integration client key (Admin → Open311). " +
                                  "Keys are shown once and stored as SHA-256 hashes; a missing, unknown or switched-off key answers 401.",
                };
                document.Components.SecuritySchemes[ApiDescriptions.Open311KeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Query,
                    Name = "api_key",
                    Description = "GeoReport v2 `api_key` of an integration client (Admin → Open311). POSTs send it as a form field, " +
                                  "as the specification and FixMyStreet do (the query string is accepted too); GETs are public, and a key " +
                                  "sent on them must be valid for the jurisdiction (403 otherwise).",
                };
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ApiDocsOptions>>().Value;
        if (options.Document)
        {
            // Integrators' tools fetch it without signing in; it describes shapes, never data.
            app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        }

        if (options.Document && ReferencePageEnabled(options, app.Environment, app.Configuration))
        {
            app.MapScalarApiReference(ReferencePath, scalar => scalar
                    .WithTitle("CivicDesk API reference")
                    .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                    // No requests to font or telemetry hosts: the page must work on an installation without internet.
                    .DisableDefaultFonts()
                    .DisableTelemetry()
                    // Nor Scalar's hosted extras (AI chat, MCP, the SaaS toolbar): they call scalar.com with the document.
                    .DisableAgent()
                    .DisableMcp()
                    .HideDeveloperTools()
                    .WithNonce())
                .AllowAnonymous()
                .AddEndpointFilter(async (context, next) =>
                {
                    // Scalar's page starts itself with an inline module script carrying a per-request nonce, and its
                    // bundle injects its styles at run time; the site-wide policy allows neither, so this page gets its own.
                    var http = context.HttpContext;
                    http.Response.OnStarting(() =>
                    {
                        var nonce = http.Items[ScalarOptions.NonceHttpContextItemKey] as string ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
                        http.Response.Headers.ContentSecurityPolicy =
                            $"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'nonce-{nonce}'; " +
                            "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";
                        return Task.CompletedTask;
                    });
                    return await next(context);
                });
        }

        return app;
    }

    internal static bool ReferencePageEnabled(ApiDocsOptions options, IHostEnvironment environment, IConfiguration configuration) =>
        options.ReferencePage ?? (environment.IsDevelopment() || configuration.GetValue<bool>("Demo:Enabled"));
}
