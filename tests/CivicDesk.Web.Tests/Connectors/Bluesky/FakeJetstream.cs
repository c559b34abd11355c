using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

/// <summary>One event the fake server can send: its time_us and collection (null for identity/account) and the raw line.</summary>
public sealed record ReplayEvent(long TimeUs, string? Collection, string Line);

/// <summary>What one connection does: which of the (cursor-selected) events it sends, then how it ends.</summary>
/// <param name="Take">How many events to send (null: all).</param>
/// <param name="Duplicate">Send the event at this index twice.</param>
/// <param name="MalformedAfter">Send a truncated frame after this index.</param>
/// <param name="Drop">Abort the TCP connection after sending (no close handshake); otherwise stay open.</param>
/// <param name="BeforeDrop">Awaited before the abort (e.g. until the client has committed what was sent).</param>
public sealed record ConnectionScript(int? Take = null, int? Duplicate = null, int? MalformedAfter = null, bool Drop = false, Func<Task>? BeforeDrop = null);

/// <summary>
/// A Jetstream on 127.0.0.1 (Kestrel, port 0) that replays recorded events over a WebSocket the way Jetstream's
/// /subscribe does: wantedCollections filters commits (identity and account events always pass), cursor replays
/// from that time_us on. Each connection follows the next script; the last script repeats.
/// </summary>
public sealed class FakeJetstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReadOnlyList<ReplayEvent> _events;
    private readonly ConnectionScript[] _scripts;
    private int _connections;

    public ConcurrentQueue<string> Queries { get; } = new();
    public string Url { get; private set; } = "";

    private FakeJetstream(IReadOnlyList<ReplayEvent> events, ConnectionScript[] scripts)
    {
        _events = events.OrderBy(e => e.TimeUs).ToList();
        _scripts = scripts;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/subscribe", ServeAsync);
    }

    public IReadOnlyList<ReplayEvent> Events => _events;

    public static ReplayEvent Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        return new ReplayEvent(root.GetProperty("time_us").GetInt64(),
            root.TryGetProperty("commit", out var c) ? c.GetProperty("collection").GetString() : null, line);
    }

    public static async Task<FakeJetstream> StartAsync(IReadOnlyList<ReplayEvent> events, params ConnectionScript[] scripts)
    {
        var server = new FakeJetstream(events, scripts);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Url = address.Replace("http://", "ws://", StringComparison.Ordinal) + "/subscribe";
        return server;
    }

    private async Task ServeAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = 400;
            return;
        }

        Queries.Enqueue(http.Request.QueryString.Value ?? "");
        var script = _scripts[Math.Min(Interlocked.Increment(ref _connections) - 1, _scripts.Length - 1)];
        var wanted = http.Request.Query["wantedCollections"].Select(v => v!).ToHashSet();
        var cursor = long.TryParse(http.Request.Query["cursor"], out var c) ? c : 0;
        var selected = _events.Where(e => e.TimeUs >= cursor && (e.Collection is null || wanted.Count == 0 || wanted.Contains(e.Collection))).ToList();
        using var ws = await http.WebSockets.AcceptWebSocketAsync();
        var sent = 0;
        for (var i = 0; i < selected.Count && (script.Take is null || sent < script.Take); i++, sent++)
        {
            await SendAsync(ws, selected[i].Line, http.RequestAborted);
            if (i == script.Duplicate)
            {
                await SendAsync(ws, selected[i].Line, http.RequestAborted);
            }

            if (i == script.MalformedAfter)
            {
                await SendAsync(ws, selected[i].Line[..(selected[i].Line.Length / 2)], http.RequestAborted);
            }
        }

        if (script.Drop)
        {
            if (script.BeforeDrop is not null)
            {
                await script.BeforeDrop();
            }

            http.Abort();
            return;
        }

        try
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // the client went away
        }
    }

    private static Task SendAsync(WebSocket ws, string line, CancellationToken ct) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(line), WebSocketMessageType.Text, endOfMessage: true, ct);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
