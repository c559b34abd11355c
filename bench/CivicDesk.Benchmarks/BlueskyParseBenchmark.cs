using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Features.Connectors.Bluesky;

namespace CivicDesk.Benchmarks;

/// <summary>
/// <code>dotnet run -c Release --project bench/CivicDesk.Benchmarks -- bluesky [--seconds N]</code>
/// Events per second on one thread over the Bluesky payload corpus (shared/data/payloads/bluesky): the Jetstream
/// parser (with the connector's filter, and parsing every post record) against a System.Text.Json JsonDocument
/// parse of the same lines. (The DAG-CBOR/CAR firehose decoder measured here until issue 14 was removed: Jetstream is
/// the supported high-volume mode, docs/connectors.md.)
/// </summary>
public static class BlueskyParseBenchmark
{
    public static int Run(string[] args)
    {
        var seconds = args.Length == 2 && args[0] == "--seconds" && double.TryParse(args[1], CultureInfo.InvariantCulture, out var s) ? s : 3;
        var folder = FindFolder();
        if (folder is null)
        {
            Console.Error.WriteLine("shared/data/payloads/bluesky not found above the current directory");
            return 1;
        }

        var lines = File.ReadAllLines(Path.Combine(folder, "jetstream_expected_v1.jsonl")).Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes).ToArray();
        var filter = new BlueskyFilter(["council.example"], [], ["pothole", "flytipping", "#bins"]);

        Console.WriteLine($"Corpus: {lines.Length} Jetstream events ({lines.Sum(l => l.Length):N0} bytes); {seconds} s per measurement, one thread");
        var baseline = Measure("JsonDocument.Parse (baseline)", lines.Length, seconds, () =>
        {
            foreach (var line in lines)
            {
                using var doc = JsonDocument.Parse(line);
            }
        });
        var filtered = Measure("JetstreamParser + filter", lines.Length, seconds, () =>
        {
            foreach (var line in lines)
            {
                JetstreamParser.TryParse(line, filter, out _, out _);
            }
        });
        var full = Measure("JetstreamParser, every post record", lines.Length, seconds, () =>
        {
            foreach (var line in lines)
            {
                JetstreamParser.TryParse(line, null, out _, out _);
            }
        });
        Console.WriteLine();
        Console.WriteLine($"Ratio to baseline: filtered {filtered / baseline:F2}, full {full / baseline:F2}");
        return 0;
    }

    private static double Measure(string name, int eventsPerPass, double seconds, Action pass)
    {
        for (var i = 0; i < 20; i++)
        {
            pass(); // warm up (tiered JIT)
        }

        long passes = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            pass();
            passes++;
        }

        var rate = passes * eventsPerPass / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-40} {rate,14:N0} events/s");
        return rate;
    }

    private static string? FindFolder()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "data", "payloads", "bluesky"), Path.Combine(dir.FullName, "..", "shared", "data", "payloads", "bluesky") })
            {
                if (Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }
}
