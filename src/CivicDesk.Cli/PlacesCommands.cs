using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CivicDesk.Triage.Learning;
using CivicDesk.Triage.Places;

namespace CivicDesk.Cli;

/// <summary>civicdesk triage places-eval: postcode, street and gazetteer scores on the FixMyStreet reports (docs/places.md).</summary>
internal static class PlacesCommands
{
    private const string Dataset = "service_requests_fms";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var command = new Command("places-eval", "Precision, recall and F1 of postcode and street extraction and of gazetteer points (within 500 m) on FixMyStreet reports.")
            .WithExamples("civicdesk triage places-eval --split dev", "civicdesk triage places-eval --json --show-errors 20");
        var split = new Option<string>("--split") { Description = "train or dev (test is kept for the models).", DefaultValueFactory = _ => "dev" };
        split.AcceptOnlyFromAmong("train", "dev");
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var dataDir = new Option<string?>("--data-dir") { Description = $"Dataset folder (default: ${TriageData.DataDirectoryVariable}, else shared/data found walking up)." };
        command.Options.Add(split);
        command.Options.Add(json);
        var errors = new Option<int>("--show-errors") { Description = "Also print this many street false positives and misses (for reviewing the labels)." };
        command.Options.Add(dataDir);
        command.Options.Add(errors);
        command.SetAction(parse => Run(parse.GetValue(split)!, parse.GetValue(json), parse.GetValue(dataDir), parse.GetValue(errors)));
        return command;
    }

    private static int Run(string split, bool json, string? dataDir, int showErrors)
    {
        var data = TriageData.FindDataDirectory(dataDir);
        if (data is null || !File.Exists(TriageData.SplitPath(data, Dataset, split)))
        {
            Console.Error.WriteLine($"No FixMyStreet data: pass --data-dir, set {TriageData.DataDirectoryVariable}, or run below a folder holding shared/data/{Dataset}.");
            return CliExit.Usage;
        }

        var rows = Read(TriageData.SplitPath(data, Dataset, split));
        // The gazetteer is always the train split's streets, as the demo organisation's is; on --split train the
        // resolution score is therefore optimistic (each report helped place its own street).
        var gazetteer = PlaceEvaluation.GazetteerFrom(split == "train" ? rows : Read(TriageData.SplitPath(data, Dataset, "train")));
        var report = PlaceEvaluation.Run(rows, gazetteer);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                split,
                rows = report.Rows,
                postcode = Scores(report.Postcode),
                street = Scores(report.Street),
                street_lenient = Scores(report.StreetLenient),
                gazetteer = new
                {
                    streets = report.GazetteerStreets,
                    gold_rows = report.Gazetteer.GoldRows,
                    resolved = report.Gazetteer.Resolved,
                    within_500m = report.Gazetteer.Within500Metres,
                    median_m = Math.Round(report.Gazetteer.MedianMetres),
                    precision = Round(report.Gazetteer.Precision),
                    recall = Round(report.Gazetteer.Recall),
                    f1 = Round(report.Gazetteer.F1),
                },
            }, Json));
            return CliExit.Success;
        }

        Console.WriteLine($"places on {Dataset}/{split}: {report.Rows:N0} reports, {report.PostcodeGoldRows} with a gold postcode, {report.StreetGoldRows:N0} naming their nearest road");
        Console.WriteLine($"{"",-18} {"TP",6} {"FP",6} {"FN",6} {"P",7} {"R",7} {"F1",7}");
        Line("postcode", report.Postcode);
        Line("street (strict)", report.Street);
        Line("street (lenient)", report.StreetLenient);
        var g = report.Gazetteer;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gazetteer ({report.GazetteerStreets:N0} streets from train): resolved {g.Resolved:N0}, within 500 m {g.Within500Metres:N0}, median {g.MedianMetres:N0} m; P {g.Precision:0.000} R {g.Recall:0.000} F1 {g.F1:0.000}"));
        foreach (var (id, found, gold) in PlaceEvaluation.StreetErrors(rows).Take(showErrors))
        {
            Console.WriteLine($"  {id}: found [{found}] gold [{gold}]");
        }

        return CliExit.Success;
    }

    private static List<PlaceSample> Read(string path) => File.ReadLines(path).Where(l => l.Length > 0).Select(PlaceSample.Parse).ToList();

    private static void Line(string name, ExtractionScore s) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-18} {s.TruePositives,6} {s.FalsePositives,6} {s.FalseNegatives,6} {s.Precision,7:0.000} {s.Recall,7:0.000} {s.F1,7:0.000}"));

    private static object Scores(ExtractionScore s) => new
    {
        tp = s.TruePositives, fp = s.FalsePositives, fn = s.FalseNegatives,
        precision = Round(s.Precision), recall = Round(s.Recall), f1 = Round(s.F1),
    };

    private static double Round(double value) => Math.Round(value, 4);
}
