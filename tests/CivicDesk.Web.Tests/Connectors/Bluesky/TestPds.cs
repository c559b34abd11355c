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
        // xUnit 2 creates class fixtures even when every test is skipped: where PdsFactAttribute skipped them (saying
        // why), start nothing.
        if (PdsFactAttribute.Unavailable() is not null)
        {
            return;
        }

        var folder = Folder()!;

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

/// <summary>
/// A fact that needs the real PDS: skipped, with what to do, where node is missing, too old, or tests/pds is not
/// installed (./scripts/pds.sh install; test.sh runs it), instead of failing inside the fixture.
/// </summary>
public sealed class PdsFactAttribute : FactAttribute
{
    /// <summary>The oldest Node.js major version the test PDS runs on (scripts/pds.sh checks the same).</summary>
    public const int MinimumNodeMajor = 18;

    private static readonly Lazy<string?> Reason = new(Check);

    public PdsFactAttribute()
    {
        Skip = Reason.Value;
    }

    public static string? Unavailable() => Reason.Value;

    private static string? Check()
    {
        var folder = TestPds.Folder();
        if (folder is null)
        {
            return "tests/pds/start.js not found above the test assembly";
        }

        string version;
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            version = node.StandardOutput.ReadToEnd().Trim();
            node.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "needs Node.js for the test PDS, and node is not on PATH: install Debian's nodejs and npm, then run ./scripts/pds.sh install";
        }

        if (!int.TryParse(version.TrimStart('v').Split('.')[0], out var major) || major < MinimumNodeMajor)
        {
            return $"the test PDS needs Node.js {MinimumNodeMajor} or later and node is {version}: install a newer Node.js (Debian 12's nodejs or NodeSource's), then run ./scripts/pds.sh install";
        }

        if (!File.Exists(Path.Combine(folder, "node_modules", "@atproto", "pds", "package.json")) || !File.Exists(Path.Combine(folder, "node_modules", ".civicdesk-installed-lock")))
        {
            return "the test PDS is not installed: run ./scripts/pds.sh install (a few minutes, once; test.sh runs it)";
        }

        // Its native SQLite module is compiled for one Node.js major version; after switching node it must be rebuilt.
        using var load = Process.Start(new ProcessStartInfo("node", ["-e", "new (require('better-sqlite3'))(':memory:').close()"])
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var error = load.StandardError.ReadToEnd();
        load.WaitForExit();
        return load.ExitCode == 0
            ? null
            : $"the test PDS's better-sqlite3 does not load in node {version} (built for another Node.js version?): run ./scripts/pds.sh install. "
              + error.Split('\n').FirstOrDefault(l => l.Contains("Error", StringComparison.Ordinal))?.Trim();
    }
}
