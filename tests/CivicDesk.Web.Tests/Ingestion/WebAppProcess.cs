using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CivicDesk.Web.Tests.Ingestion;

/// <summary>The real CivicDesk.Web as a child process on 127.0.0.1, for tests that must kill it.</summary>
internal sealed class WebAppProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WebAppProcess(Process process, Uri address, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        Address = address;
        Output = output;
    }

    /// <summary>What the process wrote so far (standard output and error), for a failing test to show.</summary>
    public IReadOnlyCollection<string> Output { get; }

    public Uri Address { get; }

    /// <summary>The operating system's id of the process (to tell which node holds a lock).</summary>
    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public static async Task<WebAppProcess> StartAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var dll = FindWebAppDll();
        var port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        // Workers at once, as in the in-process tests (CivicDeskFactory); a test may set its own value below.
        start.Environment["BackgroundWorkers__StartDelaySeconds"] = "0";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains("Now listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The app exited on start-up:\n" + string.Join('\n', output)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The app did not start listening in time:\n" + string.Join('\n', output));
        }

        return new WebAppProcess(process, new Uri($"http://127.0.0.1:{port}"), output);
    }

    /// <summary>kill -9: no shutdown, no flushing, whatever was in flight is cut off.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>
    /// CivicDesk.Web.dll with its runtimeconfig: next to the test assembly (a project reference copies it), else
    /// under src/CivicDesk.Web/bin or an artifacts folder, preferring the build configuration the tests run in.
    /// </summary>
    public static string FindWebAppDll()
    {
        static bool Runnable(string dll) => File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"));

        var here = AppContext.BaseDirectory;
        var local = Path.Combine(here, "CivicDesk.Web.dll");
        if (Runnable(local))
        {
            return local;
        }

        var configuration = here.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.OrdinalIgnoreCase)
            || here.Contains($"{Path.DirectorySeparatorChar}release", StringComparison.OrdinalIgnoreCase) ? "release" : "debug";
        for (var dir = new DirectoryInfo(here); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "CivicDesk.slnx")))
            {
                continue;
            }

            var roots = new[] { Path.Combine(dir.FullName, "src", "CivicDesk.Web", "bin"), Path.Combine(dir.FullName, "artifacts", "bin", "CivicDesk.Web") }
                .Where(Directory.Exists);
            var found = roots.SelectMany(r => Directory.EnumerateFiles(r, "CivicDesk.Web.dll", SearchOption.AllDirectories)).Where(Runnable)
                .OrderByDescending(p => p.Contains(configuration, StringComparison.OrdinalIgnoreCase))
                .ThenByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
            if (found is not null)
            {
                return found;
            }
        }

        throw new FileNotFoundException($"CivicDesk.Web.dll (with its runtimeconfig.json) was not found next to {here} or under the repository's build output.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
