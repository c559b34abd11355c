using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CivicDesk.Web.Features.Sla;

namespace CivicDesk.Cli;

/// <summary>civicdesk eta backtest: replays real FixMyStreet arrivals through a simulated service and scores the estimates.</summary>
internal static class EtaCommands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Command Create()
    {
        var eta = new Command("eta", "Expected-by estimates (docs/expected-times.md).");
        var backtest = new Command("backtest", "Replay FixMyStreet arrivals through a simulated service process; compare estimates with the simulated resolution times.")
            .WithExamples("civicdesk eta backtest", "civicdesk eta backtest --file reports.jsonl --quantile 0.8 --json");
        var file = new Option<string?>("--file") { Description = "JSON-lines reports with date and label (default: shared/data/service_requests_fms/train.jsonl found walking up)." };
        var seed = new Option<int>("--seed") { Description = "Random seed for the simulated service process.", DefaultValueFactory = _ => 20261122 };
        var quantile = new Option<double>("--quantile") { Description = "Quantile the estimator promises.", DefaultValueFactory = _ => new EtaOptions().Quantile };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        backtest.Options.Add(file);
        backtest.Options.Add(seed);
        backtest.Options.Add(quantile);
        backtest.Options.Add(json);
        backtest.SetAction(parse => Backtest(parse.GetValue(file), parse.GetValue(seed), parse.GetValue(quantile), parse.GetValue(json), Console.Out));
        eta.Subcommands.Add(backtest);
        return eta;
    }

    public static int Backtest(string? file, int seed, double quantile, bool json, TextWriter output)
    {
        var path = file ?? FindReports();
        if (path is null || !File.Exists(path))
        {
            Console.Error.WriteLine("No reports file: pass --file, or run inside a checkout with shared/data/service_requests_fms/train.jsonl above it.");
            return CliExit.Usage;
        }

        var calendar = new BusinessCalendars().For("Europe/London", WorkingWeek.Default, BankHolidays.EnglandAndWales);
        var watch = Stopwatch.StartNew();
        var arrivals = EtaBacktest.ReadArrivals(path);
        var report = CliProgress.Run("eta backtest", arrivals.Count, "cases",
            progress => EtaBacktest.Run(arrivals, calendar, new EtaOptions { Quantile = quantile }, seed, new SetProgress(progress)));
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, Json));
            return CliExit.Success;
        }

        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"ETA back-test: {report.Scored} of {report.Arrivals} arrivals scored ({report.From:yyyy-MM-dd} to {report.To:yyyy-MM-dd}), seed {report.Seed}, {watch.Elapsed.TotalSeconds:0.0} s"));
        output.WriteLine("Arrivals are real FixMyStreet reports; the service process is SIMULATED:");
        output.WriteLine(report.Simulation);
        output.WriteLine(string.Create(c, $"Median actual time to resolution: {report.MedianActualHours} working hours"));
        output.WriteLine();
        output.WriteLine($"{"Method",-40} {"Median |err| h",14} {"Mean |err| h",12} {"P90 |err| h",11} {"Resolved by",11} {"Median promise h",16}");
        foreach (var m in report.Methods)
        {
            output.WriteLine(string.Create(c, $"{m.Method,-40} {m.MedianAbsoluteErrorHours,14} {m.MeanAbsoluteErrorHours,12} {m.P90AbsoluteErrorHours,11} {m.ResolvedByExpectedShare,11:P1} {m.MedianPromisedHours,16}"));
        }

        return CliExit.Success;
    }

    /// <summary>Synchronous: <see cref="Progress{T}"/> would post to the thread pool and report after the work ended.</summary>
    private sealed class SetProgress(CliProgressReporter reporter) : IProgress<int>
    {
        public void Report(int value) => reporter.Set(value);
    }

    private static string? FindReports()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "service_requests_fms", "train.jsonl");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
