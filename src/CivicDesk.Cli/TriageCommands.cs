using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CivicDesk.Triage.Learning;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Cli;

/// <summary>civicdesk triage train | eval | explain | bench: the learned triage models (CivicDesk.Triage.Learning).</summary>
internal static class TriageCommands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Command Create()
    {
        var triage = new Command("triage", "Train, evaluate, explain and benchmark the learned triage models.");
        var dataDir = new Option<string?>("--data-dir") { Description = $"Dataset folder (default: ${TriageData.DataDirectoryVariable}, else shared/data found walking up)." };
        var models = new Option<string?>("--models") { Description = "Model folder (default: models/ at the repository root)." };
        var taskNames = string.Join(", ", TriageTasks.All.Select(t => t.Name));

        var train = new Command("train", "Train a task's model on train, choosing epoch, temperature and threshold on dev; writes the model file and its card.")
            .WithExamples(
                "civicdesk triage train --task complaints",
                "civicdesk triage train --task service-groups --search --out /tmp/models",
                "civicdesk triage train --organisation demo --with-feedback");
        var trainTask = new Option<string?>("--task") { Description = $"Task: {taskNames} (with --organisation: only this task)." };
        var output = new Option<string?>("--out") { Description = "Output folder (default: models/ at the repository root)." };
        var search = new Option<bool>("--search") { Description = "Try a grid of settings around the defaults and keep the best on dev." };
        var verbose = new Option<bool>("--verbose") { Description = "Print every epoch." };
        var l2 = new Option<float?>("--l2") { Description = "Override the task's L2 penalty." };
        var learningRate = new Option<float?>("--lr") { Description = "Override the AdaGrad learning rate." };
        var power = new Option<float?>("--class-weight-power") { Description = "Override the class-weight power (0 none, 1 balanced)." };
        var words = new Option<int?>("--word-ngrams") { Description = "Override the longest word n-gram (1-3)." };
        var chars = new Option<string?>("--char-ngrams") { Description = "Override character n-grams: min-max (e.g. 2-5) or off." };
        // A bad range is a usage error (exit 2) found while parsing, not a crash halfway through training.
        chars.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && value != "off"
                && (value.Split('-') is not [var min, var max] || !int.TryParse(min, CultureInfo.InvariantCulture, out var lo)
                    || !int.TryParse(max, CultureInfo.InvariantCulture, out var hi) || lo < 1 || hi < lo))
            {
                result.AddError($"--char-ngrams must be min-max (e.g. 2-5) or off, not '{value}'.");
            }
        });
        var bits = new Option<int?>("--bucket-bits") { Description = "Override log2 of the hash buckets." };
        var dedupe = new Option<bool?>("--dedupe") { Description = "Override dropping duplicate train texts." };
        var epochs = new Option<int?>("--epochs") { Description = "Override the most epochs." };
        var seeds = new Option<int?>("--seed-average") { Description = "Override how many seeds' weights are averaged." };
        train.Options.Add(trainTask);
        foreach (var o in (Option[])[l2, learningRate, power, words, chars, bits, dedupe, epochs, seeds])
        {
            train.Options.Add(o);
        }

        var trainOrganisation = new Option<string?>("--organisation") { Description = "Retrain this organisation's models (slug) on base train data plus its staff corrections; needs --with-feedback." };
        var withFeedback = new Option<bool>("--with-feedback") { Description = "With --organisation: add the organisation's staff corrections; activates a new version only if dev is not worse." };
        train.Options.Add(dataDir);
        train.Options.Add(output);
        train.Options.Add(search);
        train.Options.Add(verbose);
        train.Options.Add(trainOrganisation);
        train.Options.Add(withFeedback);
        train.Options.Add(models);
        train.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(trainOrganisation) is { } slug)
            {
                if (!parse.GetValue(withFeedback))
                {
                    Console.Error.WriteLine("--organisation retrains on staff corrections: add --with-feedback.");
                    return CliExit.Usage;
                }

                return await FeedbackCommands.RetrainAsync(null, slug, parse.GetValue(trainTask), parse.GetValue(dataDir), parse.GetValue(models),
                    parse.GetValue(verbose), Console.Out, ct);
            }

            if (parse.GetValue(trainTask) is null)
            {
                Console.Error.WriteLine("Option '--task' is required (or --organisation with --with-feedback).");
                return CliExit.Usage;
            }

            var overrides = (TrainingSettings d) =>
            {
                var f = d.Features;
                f = parse.GetValue(words) is { } w ? f with { WordNgramMax = w } : f;
                f = parse.GetValue(bits) is { } b ? f with { BucketBits = b } : f;
                f = parse.GetValue(chars) switch
                {
                    null => f,
                    "off" => f with { CharNgramMin = 0, CharNgramMax = 0 },
                    var range => f with { CharNgramMin = int.Parse(range.Split('-')[0], CultureInfo.InvariantCulture), CharNgramMax = int.Parse(range.Split('-')[1], CultureInfo.InvariantCulture) },
                };
                return d with
                {
                    Features = f,
                    L2 = parse.GetValue(l2) ?? d.L2,
                    LearningRate = parse.GetValue(learningRate) ?? d.LearningRate,
                    ClassWeightPower = parse.GetValue(power) ?? d.ClassWeightPower,
                    DeduplicateTrain = parse.GetValue(dedupe) ?? d.DeduplicateTrain,
                    MaxEpochs = parse.GetValue(epochs) ?? d.MaxEpochs,
                    SeedAverage = parse.GetValue(seeds) ?? d.SeedAverage,
                };
            };
            return TrainCommand(parse.GetValue(trainTask)!, parse.GetValue(dataDir), parse.GetValue(output), parse.GetValue(search), parse.GetValue(verbose), overrides);
        });

        var rollback = new Command("rollback", "Re-activate the model version an organisation used before the current one (or the base model).")
            .WithExamples("civicdesk triage rollback --organisation demo --task complaints");
        var rollbackOrganisation = new Option<string>("--organisation") { Description = "Organisation slug.", Required = true };
        var rollbackTask = new Option<string>("--task") { Description = $"Task: {taskNames}.", Required = true };
        rollback.Options.Add(rollbackOrganisation);
        rollback.Options.Add(rollbackTask);
        rollback.SetAction(async (parse, ct) => await FeedbackCommands.RollbackAsync(null, parse.GetValue(rollbackOrganisation)!, parse.GetValue(rollbackTask)!, Console.Out, ct));

        var eval = new Command("eval", "Score a model on a split (or any JSON-lines file with text and label) beside the published baselines; exits 1 when a score misses the task's target.")
            .WithExamples(
                "civicdesk triage eval --task complaints --split dev",
                "civicdesk triage eval --task sentiment --file my-labelled.jsonl --json",
                "civicdesk triage eval --task complaints --split test --record");
        var evalTask = new Option<string>("--task") { Description = $"Task: {taskNames}.", Required = true };
        var split = new Option<string>("--split") { Description = "dev or test.", DefaultValueFactory = _ => "dev" };
        split.AcceptOnlyFromAmong("dev", "test");
        var file = new Option<string?>("--file") { Description = "A JSON-lines file with \"text\" and \"label\" instead of a split." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var record = new Option<bool>("--record") { Description = "With --split test: write the test scores into the model card (once per model version)." };
        eval.Options.Add(evalTask);
        eval.Options.Add(split);
        eval.Options.Add(file);
        eval.Options.Add(dataDir);
        eval.Options.Add(models);
        eval.Options.Add(json);
        eval.Options.Add(record);
        eval.SetAction(parse => EvalCommand(parse.GetValue(evalTask)!, parse.GetValue(split)!, parse.GetValue(file), parse.GetValue(dataDir),
            parse.GetValue(models), parse.GetValue(json), parse.GetValue(record)));

        var explain = new Command("explain", "Run every model on a text and show labels, confidence and the features behind them.")
            .WithExamples(
                "civicdesk triage explain \"Huge pothole on Dog Lane, nearly came off my bike\"",
                "echo \"@council the bins were missed again\" | civicdesk triage explain - --json");
        var text = new Argument<string>("text") { Description = "The message, or - to read it from standard input (needed when it starts with @, which the parser takes for a response file)." };
        var top = new Option<int>("--top") { Description = "Features per model.", DefaultValueFactory = _ => 8 };
        explain.Arguments.Add(text);
        explain.Options.Add(models);
        explain.Options.Add(top);
        explain.Options.Add(json);
        explain.SetAction(parse => ExplainCommand(parse.GetValue(text)!, parse.GetValue(models), parse.GetValue(top), parse.GetValue(json)));

        var bench = new Command("bench", "Throughput of all models together on the test texts, one thread, with allocated bytes per post.")
            .WithExamples("civicdesk triage bench --seconds 10");
        var seconds = new Option<double>("--seconds") { Description = "Seconds to measure.", DefaultValueFactory = _ => 5 };
        bench.Options.Add(models);
        bench.Options.Add(dataDir);
        bench.Options.Add(seconds);
        bench.SetAction(parse => BenchCommand(parse.GetValue(models), parse.GetValue(dataDir), parse.GetValue(seconds)));

        triage.Subcommands.Add(train);
        triage.Subcommands.Add(eval);
        triage.Subcommands.Add(explain);
        triage.Subcommands.Add(bench);
        triage.Subcommands.Add(rollback);
        triage.Subcommands.Add(PlacesCommands.Create());
        return triage;
    }

    private static int TrainCommand(string taskName, string? dataDir, string? output, bool search, bool verbose, Func<TrainingSettings, TrainingSettings> overrides)
    {
        if (!TryTask(taskName, out var task) || !TryData(dataDir, out var data))
        {
            return CliExit.Usage;
        }

        var folder = output ?? DefaultModelFolder();
        var train = TriageData.ReadJsonl(TriageData.SplitPath(data, task.Name, "train"));
        var dev = TriageData.ReadJsonl(TriageData.SplitPath(data, task.Name, "dev"));
        Console.WriteLine($"{task.Name}: {train.Count:N0} train rows, {dev.Count:N0} dev rows (test not read)");
        var watch = Stopwatch.StartNew();
        var defaults = overrides(task.Defaults);
        var grid = search ? TriageTasks.SearchGrid(task with { Defaults = defaults }) : [defaults];
        // The bar counts epochs against the most each setting may run; early stopping ends it sooner (the bar then fills).
        var result = CliProgress.Run($"triage train {task.Name}", grid.Sum(g => g.MaxEpochs), "epochs", progress => ModelTrainer.Search(task.Name, train, dev, grid, line =>
        {
            var epoch = line.StartsWith("  epoch", StringComparison.Ordinal);
            if (epoch)
            {
                progress.Increment();
            }

            if (verbose || !epoch)
            {
                if (progress == CliProgressReporter.None)
                {
                    Console.WriteLine(line);
                }
                else
                {
                    progress.Note(line);
                }
            }
        }));
        var path = Path.Combine(folder, TriageTasks.ModelFileName(task.Name));
        result.Model.Save(path);
        var size = new FileInfo(path).Length;
        File.WriteAllText(Path.Combine(folder, task.Name + ".md"), ModelCard.Render(task, result, Path.GetFileName(path), size));
        Console.WriteLine($"wrote {path} ({size / 1024.0 / 1024.0:F2} MB) and {task.Name}.md in {watch.Elapsed.TotalSeconds:F0}s");
        return CliExit.Success;
    }

    private static int EvalCommand(string taskName, string split, string? file, string? dataDir, string? modelFolder, bool json, bool record)
    {
        if (!TryTask(taskName, out var task))
        {
            return CliExit.Usage;
        }

        string path;
        if (file is not null)
        {
            path = file;
        }
        else if (TryData(dataDir, out var data))
        {
            path = TriageData.SplitPath(data, task.Name, split);
        }
        else
        {
            return CliExit.Usage;
        }

        var folder = modelFolder ?? DefaultModelFolder();
        var modelPath = Path.Combine(folder, TriageTasks.ModelFileName(task.Name));
        if (!File.Exists(modelPath))
        {
            Console.Error.WriteLine($"No model at {modelPath}: run civicdesk triage train --task {task.Name}");
            return CliExit.Usage;
        }

        var model = LinearTriageModel.Load(modelPath);
        var rows = TriageData.ReadJsonl(path);
        var unknown = rows.Select(r => r.Label).Distinct(StringComparer.Ordinal).Where(l => !model.Labels.Contains(l)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"Labels the model does not know: {string.Join(", ", unknown)}");
            return CliExit.Usage;
        }

        var index = model.Labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
        var gold = rows.Select(r => index[r.Label]).ToArray();
        var predicted = new int[rows.Count];
        var confidence = new float[rows.Count];
        var p = new float[model.Labels.Count];
        CliProgress.Run($"triage eval {task.Name}", rows.Count, "rows", progress =>
        {
            for (var i = 0; i < rows.Count; i++)
            {
                predicted[i] = model.Predict(rows[i].Text, p);
                confidence[i] = p[predicted[i]];
                if (i % 500 == 0)
                {
                    progress.Set(i);
                }
            }

            return rows.Count;
        });

        var report = ClassificationReport.Compute(model.Labels, gold, predicted);
        var confident = Enumerable.Range(0, rows.Count).Where(i => confidence[i] >= model.LowConfidenceThreshold).ToList();
        var coverage = rows.Count == 0 ? 0 : confident.Count / (double)rows.Count;
        var confidentAccuracy = confident.Count == 0 ? 0 : confident.Count(i => predicted[i] == gold[i]) / (double)confident.Count;
        ClassificationReport? brands = null;
        var brandRows = Enumerable.Range(0, rows.Count).Where(i => rows[i].Domain is { } d && !d.StartsWith("random", StringComparison.Ordinal)).ToArray();
        if (brandRows.Length > 0)
        {
            brands = ClassificationReport.Compute(model.Labels, brandRows.Select(i => gold[i]).ToArray(), brandRows.Select(i => predicted[i]).ToArray());
        }

        var source = file ?? $"{task.Name}/{split}";
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                task = task.Name,
                source,
                rows = report.Total,
                accuracy = report.Accuracy,
                macro_f1 = report.MacroF1,
                macro_recall = report.MacroRecall,
                macro_precision = report.MacroPrecision,
                per_class = report.PerClass.Select(c => new { label = c.Label, precision = c.Precision, recall = c.Recall, f1 = c.F1, support = c.Support }),
                labels = report.Labels,
                confusion = report.ConfusionMatrix,
                low_confidence = new { threshold = model.LowConfidenceThreshold, coverage, confident_accuracy = confidentAccuracy },
                brand_domains = brands is null ? null : new { rows = brands.Total, accuracy = brands.Accuracy, macro_f1 = brands.MacroF1, macro_recall = brands.MacroRecall },
                targets = task.Targets.Select(t => new { metric = t.Metric, minimum = t.Minimum, value = ModelCard.MetricValue(report, t.Metric), met = ModelCard.MetricValue(report, t.Metric) >= t.Minimum }),
                baselines = task.Baselines.Select(b => new { system = b.System, metric = b.Metric, value = b.Value, source = b.Source, same_test_split = b.Comparable }),
                model = new { created = model.Info.CreatedUtc, training = model.Info.Training },
            }, Json));
        }
        else
        {
            PrintReport(task, model, report, source, coverage, confidentAccuracy, brands);
        }

        if (record)
        {
            if (file is not null || split != "test")
            {
                Console.Error.WriteLine("--record writes test scores: use it with --split test.");
                return CliExit.Usage;
            }

            var cardPath = Path.Combine(folder, task.Name + ".md");
            var card = File.Exists(cardPath) ? File.ReadAllText(cardPath) : $"# Model card: {task.Name}\n";
            var extra = new List<string>
            {
                string.Create(CultureInfo.InvariantCulture, $"- Low confidence (threshold {model.LowConfidenceThreshold:F3} from dev): {coverage:P1} of test at or above it, {confidentAccuracy:P1} accurate."),
            };
            if (brands is not null)
            {
                extra.Add(string.Create(CultureInfo.InvariantCulture,
                    $"- Brand-domain subset (domain not random_*, {brands.Total} rows): accuracy {brands.Accuracy:F4}, macro-F1 {brands.MacroF1:F4}, macro-recall {brands.MacroRecall:F4}."));
            }

            File.WriteAllText(cardPath, ModelCard.WithTestResults(card, task, model, report, extra));
            Console.WriteLine($"recorded test scores in {cardPath}");
        }

        // A check like any other: scores below the task's targets exit 1, so a script or CI step can gate on it. The
        // targets are set for the test split; on dev or another file they are the same yardstick.
        var missed = task.Targets.Select(t => (Target: t, Value: ModelCard.MetricValue(report, t.Metric))).Where(t => t.Value < t.Target.Minimum).ToList();
        foreach (var (target, value) in missed)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"target missed: {target.Metric} {value:F4} < {target.Minimum:F4} ({source})"));
        }

        return missed.Count == 0 ? CliExit.Success : CliExit.Failed;
    }

    private static void PrintReport(TriageTask task, LinearTriageModel model, ClassificationReport report, string source, double coverage, double confidentAccuracy,
        ClassificationReport? brands)
    {
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ci, $"{task.Name} on {source}: {report.Total:N0} rows; model trained {model.Info.CreatedUtc}"));
        Console.WriteLine(string.Create(ci, $"accuracy {report.Accuracy:F4}   macro-F1 {report.MacroF1:F4}   macro-recall {report.MacroRecall:F4}   macro-precision {report.MacroPrecision:F4}"));
        Console.WriteLine();
        var width = Math.Max(12, report.Labels.Max(l => l.Length));
        Console.WriteLine($"{"label".PadRight(width)}  precision  recall     F1  support");
        foreach (var c in report.PerClass)
        {
            Console.WriteLine(string.Create(ci, $"{c.Label.PadRight(width)}  {c.Precision,9:F3}  {c.Recall,6:F3}  {c.F1,5:F3}  {c.Support,7}"));
        }

        Console.WriteLine();
        Console.WriteLine("confusion matrix (rows gold, columns predicted, in label order above):");
        for (var g = 0; g < report.Labels.Count; g++)
        {
            Console.WriteLine($"{report.Labels[g].PadRight(width)} " + string.Join(" ", report.ConfusionMatrix[g].Select(n => n.ToString(ci).PadLeft(5))));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(ci, $"low confidence below {model.LowConfidenceThreshold:F3} (chosen on dev): {coverage:P1} at or above it, {confidentAccuracy:P1} of those correct"));
        if (brands is not null)
        {
            Console.WriteLine(string.Create(ci, $"brand-domain subset ({brands.Total} rows): accuracy {brands.Accuracy:F4}, macro-F1 {brands.MacroF1:F4}, macro-recall {brands.MacroRecall:F4}"));
        }

        Console.WriteLine();
        foreach (var target in task.Targets)
        {
            var value = ModelCard.MetricValue(report, target.Metric);
            Console.WriteLine(string.Create(ci, $"target {target.Metric} >= {target.Minimum:F2}: {value:F4} {(value >= target.Minimum ? "met" : "missed")}"));
        }

        Console.WriteLine();
        Console.WriteLine("reference scores (test; 'no' = other split or protocol, a guide only):");
        var systemWidth = task.Baselines.Max(b => b.System.Length) + 2;
        Console.WriteLine(string.Create(ci, $"{"this model".PadRight(systemWidth)}{"",-14}{"",6}   this split"));
        foreach (var b in task.Baselines)
        {
            var ours = ModelCard.MetricValue(report, b.Metric);
            var compare = double.IsNaN(ours) ? "" : string.Create(ci, $"(ours {ours:F3})");
            Console.WriteLine(string.Create(ci, $"{b.System.PadRight(systemWidth)}{b.Metric,-14}{b.Value,6:F3}   {(b.Comparable ? "yes" : "no "),-4} {compare,-13} {b.Source}"));
        }
    }

    private static int ExplainCommand(string text, string? modelFolder, int top, bool json)
    {
        if (text == "-")
        {
            text = Console.In.ReadToEnd();
        }

        var folder = modelFolder ?? DefaultModelFolder();
        if (!Directory.Exists(folder) || !Directory.EnumerateFiles(folder, "*.cdtm").Any())
        {
            Console.Error.WriteLine($"No models in {folder}: run civicdesk triage train --task <task>");
            return CliExit.Usage;
        }

        var set = ModelSet.Load(folder);
        var explanations = set.Explain(text, top);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(explanations, Json));
            return CliExit.Success;
        }

        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine("tokens: " + string.Join(" ", SocialTextNormaliser.Tokenise(text)));
        foreach (var e in explanations)
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(ci, $"{e.Task}: {e.Label} ({e.Confidence:P1}){(e.IsLowConfidence ? "  LOW CONFIDENCE" : "")}   ")
                              + string.Join("  ", e.Probabilities.Take(4).Select(p => string.Create(ci, $"{p.Label} {p.Probability:F2}"))));
            foreach (var f in e.Features)
            {
                Console.WriteLine(string.Create(ci, $"    {f.Weight,7:+0.000;-0.000}  {f.Kind,-6} {f.Feature}"));
            }
        }

        return CliExit.Success;
    }

    private static int BenchCommand(string? modelFolder, string? dataDir, double seconds)
    {
        if (!TryData(dataDir, out var data))
        {
            return CliExit.Usage;
        }

        var set = ModelSet.Load(modelFolder ?? DefaultModelFolder());
        // Timing only: the test texts are read for realistic lengths; their labels are not looked at.
        var texts = TriageTasks.All.Select(t => TriageData.SplitPath(data, t.Name, "test")).Where(File.Exists)
            .SelectMany(p => TriageData.ReadJsonl(p)).Select(r => r.Text).ToArray();
        var p = new float[set.TotalLabels];
        var best = new int[set.Models.Count];
        foreach (var t in texts)
        {
            set.Predict(t, p, best);
        }

        long posts = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            foreach (var t in texts)
            {
                set.Predict(t, p, best);
            }

            posts += texts.Length;
        }

        watch.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ci, $"{set.Models.Count} models ({string.Join(", ", set.Models.Select(m => m.Task))}) on {texts.Length:N0} test texts, one thread"));
        Console.WriteLine(string.Create(ci, $"{posts / watch.Elapsed.TotalSeconds:N0} posts/s, {watch.Elapsed.TotalMilliseconds * 1000 / posts:F2} µs/post, {allocated / (double)posts:F2} bytes allocated/post"));
        return CliExit.Success;
    }

    private static bool TryTask(string name, out TriageTask task)
    {
        task = TriageTasks.Find(name)!;
        if (task is null)
        {
            Console.Error.WriteLine($"Unknown task '{name}'. Tasks: {string.Join(", ", TriageTasks.All.Select(t => t.Name))}");
            return false;
        }

        return true;
    }

    private static bool TryData(string? dataDir, out string data)
    {
        data = TriageData.FindDataDirectory(dataDir) ?? "";
        if (data.Length == 0)
        {
            Console.Error.WriteLine($"No dataset folder: pass --data-dir, set {TriageData.DataDirectoryVariable}, or run below a folder holding shared/data.");
            return false;
        }

        return true;
    }

    /// <summary>models/ at the repository root (the folder holding CivicDesk.slnx), else models/ here.</summary>
    internal static string DefaultModelFolder()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CivicDesk.slnx")))
            {
                return Path.Combine(dir.FullName, "models");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "models");
    }
}

/// <summary>
/// civicdesk triage train --organisation X --with-feedback, and triage rollback: an organisation's retrained models under
/// &lt;data&gt;/models/&lt;slug&gt;/ (see <see cref="ModelRegistry"/>), trained on base train data plus its staff corrections
/// (TriageFeedback), activated only when dev is not worse. The web app picks up the active versions by itself.
/// </summary>
internal static class FeedbackCommands
{
    /// <summary>Which model a corrected label trains, and the model's label for the staff value (null: not usable).</summary>
    internal static (string Task, string? Label)? ModelLabel(string feedbackTask, string value) => feedbackTask switch
    {
        "category" => (TriageTasks.ServiceRequests.Name, value == "none" ? null : value),
        "sentiment" => (TriageTasks.Sentiment.Name, value),
        "kind" => (TriageTasks.Complaints.Name, value == "complaint" ? "complaint" : "not_complaint"),
        _ => null,
    };

    public static async Task<int> RetrainAsync(IEnumerable<KeyValuePair<string, string?>>? settings, string slug, string? onlyTask, string? dataDir,
        string? modelFolder, bool verbose, TextWriter output, CancellationToken ct)
    {
        var data = TriageData.FindDataDirectory(dataDir);
        if (data is null)
        {
            await Console.Error.WriteLineAsync($"No dataset folder: pass --data-dir or set {TriageData.DataDirectoryVariable}.");
            return CliExit.Usage;
        }

        await using var app = CliHost.Build(settings);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var organisation = await db.Organisations.AsNoTracking().Where(o => o.Slug == slug).Select(o => new { o.Id, o.Slug }).SingleOrDefaultAsync(ct);
        if (organisation is null)
        {
            await Console.Error.WriteLineAsync($"No organisation '{slug}'.");
            return CliExit.Usage;
        }

        // Latest correction per message and task wins; the text comes from the message (corrections do not copy it).
        var feedback = await db.TriageFeedback.IgnoreQueryFilters().AsNoTracking()
            .Where(f => f.OrganisationId == organisation.Id)
            .Join(db.Messages.IgnoreQueryFilters(), f => f.MessageId, m => m.Id, (f, m) => new { f.Id, f.MessageId, f.Task, f.NewValue, f.At, m.Text })
            .ToListAsync(ct);
        var latest = feedback.GroupBy(f => (f.MessageId, f.Task)).Select(g => g.OrderBy(f => f.At).ThenBy(f => f.Id).Last()).ToList();
        var rows = latest
            .Select(f => (f, Target: ModelLabel(f.Task, f.NewValue)))
            .Where(x => x.Target is { Label: not null })
            .GroupBy(x => x.Target!.Value.Task, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => new LabelledText($"feedback-{x.f.Id}", x.f.Text, x.Target!.Value.Label!)).ToList(), StringComparer.Ordinal);
        await output.WriteLineAsync($"{organisation.Slug}: {feedback.Count} corrections, {latest.Count} latest per message and label; usable for models: "
            + (rows.Count == 0 ? "none" : string.Join(", ", rows.Select(r => $"{r.Key} {r.Value.Count}"))));

        var registry = ModelRegistry.Open(TriageEngines.OrganisationFolder(DataDirectory.Resolve(app.Configuration), organisation.Slug));
        var baseFolder = modelFolder ?? TriageCommands.DefaultModelFolder();
        var code = 0;
        foreach (var task in TriageTasks.All.Where(t => onlyTask is null || string.Equals(t.Name, onlyTask, StringComparison.OrdinalIgnoreCase)))
        {
            if (!rows.TryGetValue(task.Name, out var taskFeedback) || taskFeedback.Count == 0)
            {
                await output.WriteLineAsync($"{task.Name}: no corrections, nothing to retrain");
                continue;
            }

            var currentPath = registry.ActivePath(task.Name) ?? Path.Combine(baseFolder, TriageTasks.ModelFileName(task.Name));
            if (!File.Exists(currentPath))
            {
                await Console.Error.WriteLineAsync($"{task.Name}: no current model at {currentPath}");
                code = 2;
                continue;
            }

            var current = LinearTriageModel.Load(currentPath);
            var known = current.Labels.ToHashSet(StringComparer.Ordinal);
            var usable = taskFeedback.Where(r => known.Contains(r.Label)).ToList();
            var train = TriageData.ReadJsonl(TriageData.SplitPath(data, task.Name, "train"));
            var dev = TriageData.ReadJsonl(TriageData.SplitPath(data, task.Name, "dev"));
            await output.WriteLineAsync($"{task.Name}: {train.Count:N0} train rows + {usable.Count} corrections x{FeedbackRetrainer.FeedbackWeight}, {dev.Count:N0} dev rows (test not read)");
            var outcome = FeedbackRetrainer.Retrain(task, current, train, usable, dev, registry, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                log: verbose ? output.WriteLine : null);
            var ci = CultureInfo.InvariantCulture;
            await output.WriteLineAsync(string.Create(ci,
                $"{task.Name}: dev {outcome.Metric} before {outcome.Version.DevBefore:F4}, after {outcome.Version.DevAfter:F4} (accuracy {outcome.Before.Accuracy:F4} -> {outcome.After.Accuracy:F4}); "
                + $"version {outcome.Version.Version} {(outcome.Activated ? "ACTIVATED" : "kept inactive (worse on dev)")}"));
        }

        return code;
    }

    public static async Task<int> RollbackAsync(IEnumerable<KeyValuePair<string, string?>>? settings, string slug, string task, TextWriter output, CancellationToken ct)
    {
        if (TriageTasks.Find(task) is not { } found)
        {
            await Console.Error.WriteLineAsync($"Unknown task '{task}'.");
            return CliExit.Usage;
        }

        await using var app = CliHost.Build(settings);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        if (!await db.Organisations.AsNoTracking().AnyAsync(o => o.Slug == slug, ct))
        {
            await Console.Error.WriteLineAsync($"No organisation '{slug}'.");
            return CliExit.Usage;
        }

        var registry = ModelRegistry.Open(TriageEngines.OrganisationFolder(DataDirectory.Resolve(app.Configuration), slug));
        var (rolledBack, active) = registry.Rollback(found.Name);
        if (!rolledBack)
        {
            await output.WriteLineAsync($"{slug} {found.Name}: already on the base model; nothing to roll back");
            return CliExit.Failed;
        }

        await output.WriteLineAsync($"{slug} {found.Name}: now using {(active is { } v ? $"version {v}" : "the base model")}");
        return CliExit.Success;
    }
}
