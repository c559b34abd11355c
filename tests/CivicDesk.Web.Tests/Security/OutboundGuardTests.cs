using System.Net;
using System.Net.Sockets;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Webhooks;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Security;

/// <summary>Answers chosen names with chosen addresses, as a hostile or misconfigured DNS server would.</summary>
public sealed class FakeDns : OutboundDns
{
    public Dictionary<string, IPAddress[]> Answers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        Answers.TryGetValue(host, out var a) ? Task.FromResult(a) : base.ResolveAsync(host, ct);
}

/// <summary>The production defaults (no loopback, no http) with a fake DNS; plain http only where a test says so.</summary>
public class GuardedFactory : CivicDeskFactory
{
    public FakeDns Dns { get; } = new();

    protected virtual bool AllowHttp => false;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("OutboundHttp:AllowLoopback", "false"), new("OutboundHttp:AllowHttp", AllowHttp ? "true" : "false")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<OutboundDns>(Dns));
    }
}

public sealed class GuardedHttpFactory : GuardedFactory
{
    protected override bool AllowHttp => true;
}

/// <summary>A one-response HTTP server on 127.0.0.1 that records whether anyone connected.</summary>
internal sealed class TinyServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    public TinyServer(Func<string, string> respond)
    {
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                await using var stream = new NetworkStream(socket);
                using var reader = new StreamReader(stream, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stop.Token)))
                {
                }

                var bytes = System.Text.Encoding.ASCII.GetBytes(respond(requestLine.Split(' ').ElementAtOrDefault(1) ?? "/"));
                await stream.WriteAsync(bytes, _stop.Token);
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Connections => Volatile.Read(ref _connections);

    public static string Ok(string body) => $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";

    public static string Redirect(string to) => $"HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { } catch (SocketException) { } catch (ObjectDisposedException) { }
        _stop.Dispose();
    }
}

public sealed class OutboundGuardTests : IClassFixture<GuardedHttpFactory>
{
    private readonly GuardedHttpFactory _factory;

    public OutboundGuardTests(GuardedHttpFactory factory) => _factory = factory;

    private HttpClient Connectors() => _factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ConnectorContexts.HttpClientName);

    [Fact]
    public async Task A_request_to_loopback_is_refused_before_anything_is_sent()
    {
        await using var server = new TinyServer(_ => TinyServer.Ok("secret admin page"));
        var refused = await Should.ThrowAsync<HttpRequestException>(() => Connectors().GetStringAsync($"http://127.0.0.1:{server.Port}/"));
        refused.ToString().ShouldContain("loopback");
        server.Connections.ShouldBe(0);
    }

    [Theory]
    [InlineData("10.0.0.1", "private-network")]
    [InlineData("172.20.1.1", "private-network")]
    [InlineData("192.168.1.10", "private-network")]
    [InlineData("100.64.0.1", "private-network")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("fd00::1", "private-network")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("::ffff:10.0.0.1", "private-network")]
    public async Task A_host_name_that_resolves_to_an_internal_address_is_refused(string address, string kind)
    {
        var host = "feed-" + Guid.NewGuid().ToString("N")[..8] + ".example";
        _factory.Dns.Answers[host] = [IPAddress.Parse(address)];
        var refused = await Should.ThrowAsync<HttpRequestException>(() => Connectors().GetStringAsync($"http://{host}/feed.xml"));
        refused.ToString().ShouldContain(kind);
    }

    [Fact]
    public async Task A_name_with_one_public_and_one_private_answer_is_refused()
    {
        var host = "mixed-" + Guid.NewGuid().ToString("N")[..8] + ".example";
        _factory.Dns.Answers[host] = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.1.2.3")];
        (await Should.ThrowAsync<HttpRequestException>(() => Connectors().GetStringAsync($"http://{host}/"))).ToString().ShouldContain("10.1.2.3");
    }

    [Fact]
    public async Task Webhook_deliveries_go_through_the_same_guard()
    {
        var webhooks = _factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookDispatcher.HttpClientName);
        await Should.ThrowAsync<HttpRequestException>(() => webhooks.PostAsync("http://127.0.0.1:9/hook", new StringContent("{}")));
    }
}

public sealed class OutboundHttpsOnlyTests : IClassFixture<GuardedFactory>
{
    private readonly GuardedFactory _factory;

    public OutboundHttpsOnlyTests(GuardedFactory factory) => _factory = factory;

    [Fact]
    public async Task Plain_http_is_refused_unless_allowed()
    {
        var client = _factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ConnectorContexts.HttpClientName);
        (await Should.ThrowAsync<HttpRequestException>(() => client.GetStringAsync("http://feeds.example/rss"))).Message.ShouldContain("https://");
    }
}

/// <summary>With the test-only loopback allowance (every other test's setting): fakes are reachable, redirects stay on one host.</summary>
public sealed class OutboundRedirectTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public OutboundRedirectTests(CivicDeskFactory factory) => _factory = factory;

    private HttpClient Connectors() => _factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ConnectorContexts.HttpClientName);

    [Fact]
    public async Task A_redirect_within_the_same_host_is_followed()
    {
        await using var server = new TinyServer(path => path == "/old" ? TinyServer.Redirect("/new") : TinyServer.Ok("moved here"));
        (await Connectors().GetStringAsync($"http://127.0.0.1:{server.Port}/old")).ShouldBe("moved here");
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_refused()
    {
        await using var server = new TinyServer(_ => TinyServer.Redirect("http://169.254.169.254/latest/meta-data/"));
        (await Should.ThrowAsync<HttpRequestException>(() => Connectors().GetStringAsync($"http://127.0.0.1:{server.Port}/feed")))
            .Message.ShouldContain("redirect");
    }
}
