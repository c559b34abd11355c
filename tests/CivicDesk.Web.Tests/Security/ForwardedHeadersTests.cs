using System.Net;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Security;

/// <summary>
/// Issue 14: behind a reverse proxy every citizen used to share the proxy's rate-limit bucket. A proxy named in
/// ReverseProxy:KnownProxies is believed about the client (X-Forwarded-For), so each citizen has a bucket of their
/// own and one citizen's limit is still enforced; an unconfigured site ignores the header (it could be forged).
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const int PerMinute = 5;

    private sealed class ProxiedFactory(bool trustLoopback) : CivicDeskFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("RateLimits:PublicPageViewsPerMinute", PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            .. trustLoopback
                ? new KeyValuePair<string, string?>[] { new("ReverseProxy:KnownProxies:0", "127.0.0.1"), new("ReverseProxy:KnownNetworks:0", "::1/128") }
                : [],
        ];
    }

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string path, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_citizen_has_their_own_limit_and_it_is_still_enforced()
    {
        using var factory = new ProxiedFactory(trustLoopback: true);
        factory.UseKestrel(0);
        factory.StartServer();
        await TestOrganisation.CreateAsync(factory);
        var client = factory.CreateClient();

        for (var i = 0; i < PerMinute; i++)
        {
            (await GetAsync(client, "/", "203.0.113.10")).ShouldBe(HttpStatusCode.OK);
        }

        (await GetAsync(client, "/", "203.0.113.10")).ShouldBe(HttpStatusCode.TooManyRequests, "one citizen's limit still holds");
        // Another citizen behind the same proxy is not affected, on any public page.
        (await GetAsync(client, "/map", "198.51.100.20")).ShouldBe(HttpStatusCode.OK);
        (await GetAsync(client, "/report", "198.51.100.21")).ShouldBe(HttpStatusCode.OK);
        // The proxy appends its own view: the last address is the one the trusted proxy saw.
        (await GetAsync(client, "/", "10.9.9.9, 198.51.100.22")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Without_a_configured_proxy_the_header_is_not_believed()
    {
        using var factory = new ProxiedFactory(trustLoopback: false);
        factory.UseKestrel(0);
        factory.StartServer();
        await TestOrganisation.CreateAsync(factory);
        var client = factory.CreateClient();

        for (var i = 0; i < PerMinute; i++)
        {
            (await GetAsync(client, "/", "203.0.113.10")).ShouldBe(HttpStatusCode.OK);
        }

        // A forged header does not buy a fresh bucket: the connecting address (loopback) is the client.
        (await GetAsync(client, "/", "198.51.100.20")).ShouldBe(HttpStatusCode.TooManyRequests);
    }
}
