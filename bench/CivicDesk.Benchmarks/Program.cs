using System.Globalization;

namespace CivicDesk.Benchmarks;

/// <summary>
/// Plain throughput commands (not BenchmarkDotNet: one run pushes real HTTP batches through the whole app).
/// <code>dotnet run -c Release --project bench/CivicDesk.Benchmarks -- ingest [--provider sqlite|postgres] [--batches N] [--clients N] [--baseline-rows N]</code>
/// PostgreSQL needs CIVICDESK_BENCH_PG (or CIVICDESK_TEST_PG): a connection string to a server where it may create databases.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "bdn")
        {
            BenchmarkDotNet.Running.BenchmarkRunner.Run<TriageBenchmarks>(args: args[1..]);
            return 0;
        }

        if (args.Length > 0 && args[0] == "bluesky")
        {
            return BlueskyParseBenchmark.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "feeds")
        {
            return FeedBenchmark.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "triage")
        {
            return await TriageBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "triage-fixture-texts")
        {
            return TriageFixtureTexts.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "storage")
        {
            return await StorageBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "open311-load")
        {
            return await Open311LoadBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "similar-ideas")
        {
            return SimilarIdeasBenchmark.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "participation")
        {
            return await ParticipationBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "public-surge")
        {
            return await PublicSurgeBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "jetstream-e2e")
        {
            return await JetstreamEndToEndBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "inbox")
        {
            return await InboxBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "dashboards")
        {
            return await DashboardBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "demo-seed")
        {
            return await DemoSeedBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "speak")
        {
            return await SpeakBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "fuzz")
        {
            return FuzzHarness.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "startup")
        {
            return await StartupBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "startup-model")
        {
            return StartupBenchmark.Model(args[1..]);
        }

        if (args.Length > 0 && args[0] == "connectors")
        {
            return ConnectorParserBenchmark.Run(args[1..]);
        }

        if (args.Length == 0 || args[0] != "ingest")
        {
            await Console.Error.WriteLineAsync("usage: bdn [BenchmarkDotNet options] | triage [options] | demo-seed [--provider sqlite|postgres] [--shared] | speak [--posts N] [--rounds N] | connectors [options] | open311-load [--seconds N] [--clients N] | public-surge [--seconds N] [--clients N] [--addresses N] | ingest [--provider sqlite|postgres] [--batches N (1-1000, default 20)] [--clients N (1-16, default 4)] [--baseline-rows N] [--server-process [PATH/CivicDesk.Web.dll]] [--api-only]");
            return 2;
        }

        var options = new IngestBenchmarkOptions();
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--provider" when value is "sqlite" or "postgres":
                    options.Postgres = value == "postgres";
                    i++;
                    break;
                case "--batches" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var batches) && batches is >= 1 and <= 1_000:
                    options.Batches = batches;
                    i++;
                    break;
                case "--clients" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var clients) && clients is >= 1 and <= 16:
                    options.Clients = clients;
                    i++;
                    break;
                case "--api-only":
                    // For A/B runs of one setting: no baselines, so no ratio is printed.
                    options.ApiOnly = true;
                    break;
                case "--server-process":
                    // The app in its own process (the Release build, or the path given), so its memory is measured alone.
                    options.ServerProcess = value is not null && value.EndsWith(".dll", StringComparison.Ordinal) ? value : "";
                    i += options.ServerProcess.Length > 0 ? 1 : 0;
                    break;
                case "--baseline-rows" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rows) && rows is >= 1 and <= 1_000:
                    options.BaselineRows = rows;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown or invalid argument: {args[i]} {value}");
                    return 2;
            }
        }

        // Bounded in time as well as count: the run stops by itself.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(options.Batches > 200 ? 20 : 10));
        return await new IngestBenchmark(options).RunAsync(timeout.Token);
    }
}
