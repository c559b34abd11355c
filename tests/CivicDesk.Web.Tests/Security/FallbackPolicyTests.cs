using System.Net;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Security;

/// <summary>A page or endpoint nobody marked is not public: the fallback policy needs a signed-in user.</summary>
public sealed class FallbackPolicyTests : IClassFixture<CivicDeskFactory>
{
    /// <summary>
    /// Every route that answers without sign-in, on purpose. Adding a public page means adding it here, deliberately.
    /// </summary>
    private static readonly HashSet<string> PublicRoutes =
    [
        "", "report", "report/send", "report/confirmation/{reference}", "status", "status/{reference}",
        "map", "map/cases.json", "cases/public/{reference}", "listening-register", "privacy", "accounts", "packs",
        "account/sign-in", "account/sign-in/two-factor", "account/sign-out", "account/access-denied",
        "error", "error/{code}", "health", "ready",
        "api/v1/messages", "api/v1/cases/{reference}/updates",
        // Contact-centre demand (issue 11): an integration key with the "demand" scope, checked by the endpoint (DemandApiTests).
        "api/v1/demand",
        "webhooks/facebook", "webhooks/facebook/{channelId}",
        // Speak (issue 9): newsroom, feeds, incidents, FAQ, myths and facts.
        "news", "news/{slug}", "news/feed.{format}", "news/tags/{tag}/feed.{format}", "news/images/{id}",
        "incidents", "incidents/{slug}/{handler}/{photoId}", "faq", "myths-and-facts",
        // Participation (issue 10): citizen pages; proposing, supporting and commenting check the citizen scheme.
        "participate", "participate/{slug}", "participate/{slug}/open-data/{file}", "participate/unsubscribe",
        "participate/sign-in/check-email", "participate/{slug}/ideas/{id}", "participate/account/deleted",
        "participate/{slug}/response", "participate/{slug}/propose", "participate/account", "participate/house-rules",
        "participate/sign-in", "participate/sign-in/{token}",
        // Crowd-mapping projects (public layer and its GeoJSON/CSV exports; drawing checks the citizen scheme) and the
        // web-form reporter's one-click unsubscribe (the link carries its own token).
        "participate/maps/{slug}", "participate/maps/{slug}/{file}", "report/unsubscribe",
        // Prove (issue 11): the engagement index's published method.
        "dashboards/methods",
        // API description (issue 14): the OpenAPI document, and the Scalar reference page with its assets where enabled.
        "openapi/{documentName}.json", "api/docs/{documentName}", "api/docs/{**path}",
    ];

    private readonly CivicDeskFactory _factory;

    public FallbackPolicyTests(CivicDeskFactory factory) => _factory = factory;

    /// <summary>"error/{code:int?}" → "error/{code}": constraints do not change who may call.</summary>
    private static string Normalise(string? raw) =>
        System.Text.RegularExpressions.Regex.Replace((raw ?? "").Trim('/'), @"\{(\w+)[^}]*\}", "{$1}");

    [Fact]
    public async Task The_fallback_policy_denies_anonymous_users()
    {
        var provider = _factory.Services.GetRequiredService<IAuthorizationPolicyProvider>();
        var fallback = await provider.GetFallbackPolicyAsync();
        fallback.ShouldNotBeNull();
        fallback.Requirements.ShouldContain(r => r is DenyAnonymousAuthorizationRequirement);
    }

    [Fact]
    public void Every_anonymous_endpoint_is_on_the_public_list()
    {
        var endpoints = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        endpoints.Count.ShouldBeGreaterThan(20);
        var anonymous = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => Normalise(e.RoutePattern.RawText))
            // Open311 is public by design (GeoReport v2), writes check the client key.
            .Where(p => !p.StartsWith("open311", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        anonymous.Where(p => !PublicRoutes.Contains(p)).ShouldBeEmpty("an endpoint is anonymous without being on the public list");
    }

    [Fact]
    public async Task A_new_endpoint_that_names_no_policy_sends_anonymous_users_to_sign_in()
    {
        // What a forgotten [Authorize] looks like to the authorisation middleware: an endpoint with no metadata at all.
        await using var scope = _factory.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Path = "/some-new-page";
        http.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(), "a new page"));
        var reached = false;
        var middleware = new AuthorizationMiddleware(_ => { reached = true; return Task.CompletedTask; },
            scope.ServiceProvider.GetRequiredService<IAuthorizationPolicyProvider>(), scope.ServiceProvider);

        await middleware.Invoke(http);

        reached.ShouldBeFalse();
        http.Response.StatusCode.ShouldBe(StatusCodes.Status302Found);
        http.Response.Headers.Location.ToString().ShouldContain("/account/sign-in");
    }

    [Fact]
    public async Task Public_pages_still_answer_without_sign_in()
    {
        await TestOrganisation.CreateAsync(_factory);
        var client = StaffClient.Anonymous(_factory);
        foreach (var path in new[] { "/", "/report", "/status", "/map", "/health", "/account/sign-in" })
        {
            var response = await client.GetAsync(path);
            // 404 is fine where a page needs a public organisation the test did not configure; a sign-in redirect is not.
            response.StatusCode.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.NotFound], path);
        }

        (await client.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        // An address that matches nothing is "not found" for everyone, not a sign-in page.
        (await client.GetAsync("/no-such-page")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/account/two-factor")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }
}
