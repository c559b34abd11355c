using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>A real HTTP server on 127.0.0.1 and a free port, for a network's fake.</summary>
public sealed class FakeNetworkServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeNetworkServer(WebApplication app) => _app = app;

    public Uri BaseUrl => new(_app.Urls.First().TrimEnd('/') + "/");

    public static async Task<FakeNetworkServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new FakeNetworkServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Holds a streaming response open until the client goes away.</summary>
    public static async Task HoldOpenAsync(HttpContext http)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
