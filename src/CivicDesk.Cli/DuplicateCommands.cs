using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CivicDesk.Triage.Duplicates;
using CivicDesk.Triage.Learning;

namespace CivicDesk.Cli;

/// <summary><c>civicdesk duplicates eval</c>: precision and recall of duplicate suggestions on FixMyStreet reports.</summary>
public static class DuplicateCommands
{
    public static Command Create()
    {
        var command = new Command("duplicates", "Duplicate-case suggestions.");
        var split = new Option<string>("--split") { Description = "train, dev or test (choose settings on train or dev, report test).", DefaultValueFactory = _ => "dev" };
        var dataDir = new Option<string?>("--data-dir") { Description = $"Dataset folder (default: ${TriageData.DataDirectoryVariable}, else shared/data found walking up)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var located = new Option<double?>("--located-threshold") { Description = "Override the score needed when both reports have points." };
        var unlocated = new Option<double?>("--unlocated-threshold") { Description = "Override the text similarity needed when one has no point." };
        var proximity = new Option<double?>("--proximity-weight") { Description = "Override the weight of closeness in the located score." };
        var recency = new Option<double?>("--recency-weight") { Description = "Override the weight of closeness in time in the unlocated score." };
        var eval = new Command("eval", "Replay FixMyStreet reports in time order and score the suggestions against place/category/time silver labels.")
        {
            split, dataDir, json, located, unlocated, proximity, recency,
        };
        eval.WithExamples(
            "civicdesk duplicates eval --split dev",
            "civicdesk duplicates eval --split test --json > duplicates-test.json",
            "civicdesk duplicates eval --located-threshold 0.6 --proximity-weight 0.4");
        eval.SetAction(parse =>
        {
            var data = TriageData.FindDataDirectory(parse.GetValue(dataDir));
            if (data is null)
            {
                Console.Error.WriteLine($"No dataset folder: pass --data-dir, set {TriageData.DataDirectoryVariable}, or run below a folder holding shared/data.");
                return CliExit.Usage;
            }

            var name = parse.GetValue(split)!;
            if (name is not ("train" or "dev" or "test"))
            {
                Console.Error.WriteLine("--split must be train, dev or test.");
                return CliExit.Usage;
            }

            var options = new DuplicateOptions();
            options = options with
            {
                LocatedThreshold = parse.GetValue(located) ?? options.LocatedThreshold,
                UnlocatedThreshold = parse.GetValue(unlocated) ?? options.UnlocatedThreshold,
                ProximityWeight = parse.GetValue(proximity) ?? options.ProximityWeight,
                RecencyWeight = parse.GetValue(recency) ?? options.RecencyWeight,
            };
            var folder = Path.Combine(data, "service_requests_fms");
            // Word weights (IDF) always come from the train texts: no labels are used, and dev/test stay unseen.
            var corpus = TermStatistics.Build(FmsReports.Load(Path.Combine(folder, "train.jsonl")).Select(r => r.Text));
            var reports = FmsReports.Load(Path.Combine(folder, name + ".jsonl"));
            var result = CliProgress.Run($"duplicates eval ({name})", reports.Count, "reports",
                progress => DuplicateEvaluation.Run(reports, options, corpus, new Progress(progress)));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    split = name,
                    reports = result.Reports,
                    gold_pairs = result.GoldPairs,
                    options = new { options.LocatedThreshold, options.UnlocatedThreshold, options.ProximityWeight, options.RecencyWeight, options.MaxMatches },
                    scores = result.Scores.Select(s => new
                    {
                        s.Name, s.Suggested, s.Correct, s.Gold, precision = s.Precision, recall = s.Recall, f1 = s.F1,
                        report_hit_rate = s.ReportHitRate, s.ReportsWithGold,
                    }),
                }));
                return CliExit.Success;
            }

            Console.WriteLine($"FixMyStreet {name}: {result.Reports} reports, {result.GoldPairs} silver duplicate pairs " +
                $"(same service group, ≤{DuplicateEvaluation.GoldRadiusMetres} m, ≤{DuplicateEvaluation.GoldDays} days).");
            Console.WriteLine($"{"",-64} {"suggested",9} {"precision",9} {"recall",7} {"F1",6} {"reports hit",11}");
            foreach (var s in result.Scores)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Name,-64} {s.Suggested,9} {s.Precision,9:0.000} {s.Recall,7:0.000} {s.F1,6:0.000} {s.ReportHitRate,11:0.000}"));
            }

            return CliExit.Success;
        });
        command.Subcommands.Add(eval);
        return command;
    }

    /// <summary>Synchronous: <see cref="Progress{T}"/> would post to the thread pool and report after the work ended.</summary>
    private sealed class Progress(CliProgressReporter reporter) : IProgress<int>
    {
        public void Report(int value) => reporter.Set(value);
    }
}
