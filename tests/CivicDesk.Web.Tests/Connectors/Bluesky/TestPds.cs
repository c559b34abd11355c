using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CivicDesk.Web.Features.Connectors.Bluesky;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

/// <summary>
/// A real Bluesky PDS (@atproto/pds 0.4.217) and PLC directory from tests/pds, started as a child process bound to
/// 127.0.0.1 with a throw-away data directory, and stopped (closing its stdin, then killing it) with the fixture.
/// Needs tests/pds/node_modules: run ./scripts/pds.sh install once (test.sh does).
/// </summary>
public sealed class TestPds : IAsyncLifetime
{
    private Process? _node;

    /// <summary>http://127.0.0.1:port (the PDS calls itself http://localhost:port).</summary>
    public string Url { get; private set; } = "";

    public static string? Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "pds");
            if (File.Exists(Path.Combine(candidate, "start.js")))
            {
                return candidate;
            }
        }

        return null;
    }

    public async Task InitializeAsync()
    {
        var folder = Folder() ?? throw new InvalidOperationException("tests/pds/start.js not found above the test assembly");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@atproto", "pds")))
        {
            throw new InvalidOperationException("The test PDS is not installed: run ./scripts/pds.sh install (about 3 minutes, once).");
        }

        var start = new ProcessStartInfo("node", "start.js")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LOG_ENABLED"] = "false";
        _node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var errors = _node.StandardError.ReadToEndAsync();
        var line = await _node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (line is null)
        {
            throw new InvalidOperationException("The test PDS exited: " + await errors.WaitAsync(TimeSpan.FromSeconds(5)));
        }

        var ready = JsonNode.Parse(line)!;
        Url = ready["pds"]!.GetValue<string>().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_node is null)
        {
            return;
        }

        try
        {
            _node.StandardInput.Close(); // start.js stops and removes its data directory when stdin ends
            await _node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _node.Kill(entireProcessTree: true);
        }
        finally
        {
            _node.Dispose();
        }
    }

    public XrpcClient Client(HttpClient http) => new(http, Url);

    /// <summary>Creates an account (handle ending .test) and returns its session.</summary>
    public async Task<XrpcSession> CreateAccountAsync(HttpClient http, string handle, string password)
    {
        var xrpc = Client(http);
        await xrpc.ProcedureAsync("com.atproto.server.createAccount",
            new JsonObject { ["handle"] = handle, ["email"] = handle + "@example.org", ["password"] = password }, null, CancellationToken.None);
        return await xrpc.CreateSessionAsync(handle, password, CancellationToken.None);
    }

    public static JsonElement Json(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement;
}
