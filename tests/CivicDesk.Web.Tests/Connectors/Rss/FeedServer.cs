using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivicDesk.Web.Tests.Connectors.Rss;

/// <summary>A real HTTP server on 127.0.0.1 (Kestrel, free port) serving feeds with ETags, honouring If-None-Match, and failing on demand.</summary>
public sealed class FeedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Body, string ETag)> _feeds = new();

    /// <summary>Status codes to answer with before serving normally, per path (e.g. 500, then the feed).</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<(int Status, string? RetryAfter)>> Failures { get; } = new();

    public ConcurrentQueue<(string Path, int Status)> Requests { get; } = new();

    private FeedServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<FeedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FeedServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    public string Url(string path) => BaseUrl + path;

    public void Serve(string path, byte[] body) =>
        _feeds[path] = (body, "\"" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body))[..16] + "\"");

    public void Serve(string path, string body) => Serve(path, System.Text.Encoding.UTF8.GetBytes(body));

    public void FailNext(string path, int status, string? retryAfter = null) =>
        Failures.GetOrAdd(path, _ => new()).Enqueue((status, retryAfter));

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (Failures.TryGetValue(path, out var queue) && queue.TryDequeue(out var failure))
        {
            http.Response.StatusCode = failure.Status;
            if (failure.RetryAfter is { } after)
            {
                http.Response.Headers.RetryAfter = after;
            }

            Requests.Enqueue((path, failure.Status));
            return;
        }

        if (!_feeds.TryGetValue(path, out var feed))
        {
            http.Response.StatusCode = 404;
            Requests.Enqueue((path, 404));
            return;
        }

        if (http.Request.Headers.IfNoneMatch == feed.ETag)
        {
            http.Response.StatusCode = 304;
            Requests.Enqueue((path, 304));
            return;
        }

        http.Response.Headers.ETag = feed.ETag;
        http.Response.ContentType = "application/rss+xml";
        Requests.Enqueue((path, 200));
        await http.Response.Body.WriteAsync(feed.Body);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
