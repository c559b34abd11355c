using System.CommandLine;
using System.Globalization;
using System.Reflection;
using CivicDesk.Cli;
using CivicDesk.Triage.Duplicates;

namespace CivicDesk.Web.Tests.Cli;

/// <summary>
/// Every civicdesk command keeps the same exit codes (0 success, 1 the check failed, 2 usage error), has examples in
/// its --help, and `civicdesk --version` prints the informational version. Run in-process through the real parser and
/// handlers. (Exit 1 for a failed check: AuditChainTests' tampered chain, through the same entry point.)
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CliExitCodeTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        // Handlers that print results write to the console; that is not what these tests read.
        var exit = await CivicDeskCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Version_prints_the_informational_version_and_exits_0()
    {
        var (exit, output, _) = await RunAsync("--version");

        exit.ShouldBe(CliExit.Success);
        var expected = typeof(CivicDeskCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        output.Trim().ShouldBe(expected);
        output.Trim().ShouldMatch(@"^\d+\.\d+\.\d+");
    }

    public static TheoryData<string> UsageErrors => new()
    {
        "",                                            // no command at all
        "frobnicate",                                  // unknown command
        "audit verify --no-such-option",               // unknown option
        "triage eval",                                 // required --task missing (the parser's check)
        "triage rollback --task complaints",           // required --organisation missing
        "triage train",                                // --task missing (the handler's check): the same 2
        "triage train --task complaints --char-ngrams 5",      // a bad value, refused while parsing
        "triage train --organisation demo",            // --organisation needs --with-feedback
        "triage eval --task no-such-task --file /nonexistent.jsonl",
        "triage places-eval --split test",             // not among the allowed values
        "replay",                                      // the file argument missing
        "replay /nonexistent/posts.jsonl --url http://127.0.0.1:9 --api-key k --rate 10/s",
        "replay posts.jsonl --url not-a-url --api-key k",
        "replay posts.jsonl --url http://127.0.0.1:9 --api-key k --rate fast",
        "seed",                                        // neither --demo nor --synthetic
        "seed --synthetic 0",
        "seed --synthetic 100 --cases-per-message 2",
        "duplicates eval --split never --data-dir /nonexistent",
        "duplicates eval --data-dir /nonexistent",
        "eta backtest --file /nonexistent/reports.jsonl",
        "eta backtest --seed not-a-number",
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task Usage_errors_exit_2_and_say_what_to_do(string line)
    {
        var (exit, _, error) = await RunAsync(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        exit.ShouldBe(CliExit.Usage, error);
    }

    [Fact]
    public async Task A_parse_error_names_the_problem_and_the_help_to_read()
    {
        var (exit, _, error) = await RunAsync("triage", "eval", "--split", "dev");

        exit.ShouldBe(CliExit.Usage);
        error.ShouldContain("--task");
        error.ShouldContain("civicdesk triage eval --help");
    }

    public static TheoryData<string> LeafCommands()
    {
        var data = new TheoryData<string>();
        foreach (var path in Leaves(CivicDeskCli.BuildRoot(), []))
        {
            data.Add(path);
        }

        return data;
    }

    private static IEnumerable<string> Leaves(Command command, List<string> path)
    {
        foreach (var sub in command.Subcommands)
        {
            var here = new List<string>(path) { sub.Name };
            if (sub.Subcommands.Count == 0)
            {
                yield return string.Join(' ', here);
            }
            else
            {
                foreach (var leaf in Leaves(sub, here))
                {
                    yield return leaf;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(LeafCommands))]
    public async Task Every_command_has_help_with_examples_and_exits_0(string command)
    {
        var (exit, output, _) = await RunAsync([.. command.Split(' '), "--help"]);

        exit.ShouldBe(CliExit.Success);
        output.ShouldContain("Examples:");
        // Each example is a whole command line for this command.
        var examples = output[output.IndexOf("Examples:", StringComparison.Ordinal)..];
        examples.ShouldContain("civicdesk " + command);
    }

    [Fact]
    public void The_command_tree_has_every_long_running_command_the_issue_names()
    {
        var leaves = Leaves(CivicDeskCli.BuildRoot(), []).ToList();
        leaves.ShouldContain("replay");
        leaves.ShouldContain("seed");
        leaves.ShouldContain("triage train");
        leaves.ShouldContain("triage eval");
        leaves.ShouldContain("duplicates eval");
        leaves.ShouldContain("eta backtest");
        leaves.ShouldContain("aggregates rebuild");
    }

    [Fact]
    public async Task A_long_running_command_run_by_a_script_exits_0_with_results_only_on_standard_output()
    {
        // Real arrivals in the shape of the FixMyStreet file, enough for the estimator's warm-up window.
        var file = Path.Combine(Path.GetTempPath(), $"civicdesk-eta-{Guid.NewGuid():N}.jsonl");
        var services = new[] { "highways_road_surface", "flytipping", "street_lighting", "trees_vegetation", "parking" };
        var start = new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 1200).Select(i =>
            $"{{\"date\":\"{start.AddHours(i * 3.1).ToString("O", CultureInfo.InvariantCulture)}\",\"label\":\"{services[i % services.Length]}\"}}"));
        var stdout = Console.Out;
        var stderr = Console.Error;
        using var captured = new StringWriter();
        using var capturedError = new StringWriter();
        try
        {
            Console.SetOut(captured);
            Console.SetError(capturedError);
            var (exit, _, _) = await RunAsync("eta", "backtest", "--file", file, "--json");

            exit.ShouldBe(CliExit.Success, capturedError.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            File.Delete(file);
        }

        // Standard output is the JSON alone (a script parses it); no progress bar was drawn anywhere (stderr is not a terminal).
        using var json = System.Text.Json.JsonDocument.Parse(captured.ToString());
        json.RootElement.GetProperty("Arrivals").GetInt32().ShouldBe(1200);
        capturedError.ToString().ShouldBeEmpty();
        CliProgress.Shown.ShouldBeFalse("test output is redirected");
    }

    [Theory]
    [InlineData(true, CliExit.Success)]
    [InlineData(false, CliExit.Failed)]
    public async Task Triage_eval_is_a_check_it_exits_1_when_a_score_misses_the_tasks_target(bool labelledAsTheModelSays, int expected)
    {
        // The shipped complaints model scores its own predictions perfectly, and their opposites not at all: the same
        // texts either meet every target or miss them, so only the exit code's rule decides the outcome.
        var folder = TriageCommands.DefaultModelFolder();
        var model = CivicDesk.Triage.Learning.LinearTriageModel.Load(Path.Combine(folder, CivicDesk.Triage.Learning.TriageTasks.ModelFileName("complaints")));
        string[] texts =
        [
            "@TrainCo three hours late again and nobody at the station could tell us anything. Refund please.",
            "@TrainCo thank you to the guard on the 8:15, really helpful this morning",
            "@PhoneCo no signal for four days, I have rung six times and been cut off every time",
            "@PhoneCo what time does the shop on the high street open on Sundays?",
            "@CoffeeCo my order arrived cold and half of it missing, worst service I have had",
            "@CoffeeCo loving the new winter menu",
        ];
        var probabilities = new float[model.Labels.Count];
        var lines = texts.Select(text =>
        {
            var predicted = model.Labels[model.Predict(text, probabilities)];
            var label = labelledAsTheModelSays ? predicted : model.Labels.First(l => l != predicted);
            return System.Text.Json.JsonSerializer.Serialize(new { text, label });
        });
        var file = Path.Combine(Path.GetTempPath(), $"civicdesk-eval-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, lines);
        var stdout = Console.Out;
        var stderr = Console.Error;
        using var captured = new StringWriter();
        using var capturedError = new StringWriter();
        try
        {
            Console.SetOut(captured);
            Console.SetError(capturedError);
            var (exit, _, _) = await RunAsync("triage", "eval", "--task", "complaints", "--file", file, "--models", folder);

            exit.ShouldBe(expected, capturedError.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            File.Delete(file);
        }

        if (expected == CliExit.Failed)
        {
            capturedError.ToString().ShouldContain("target missed:");
        }
        else
        {
            capturedError.ToString().ShouldNotContain("target missed");
        }
    }

    [Fact]
    public void Without_a_terminal_progress_is_a_no_op_and_the_work_still_runs()
    {
        var calls = 0;
        var result = CliProgress.Run("work", 10, "items", progress =>
        {
            progress.ShouldBeSameAs(CliProgressReporter.None);
            for (var i = 0; i < 10; i++)
            {
                progress.Increment();
                calls++;
            }

            return "done";
        });

        result.ShouldBe("done");
        calls.ShouldBe(10);
    }

    [Fact]
    public void The_synthetic_seeders_batch_lines_move_the_bar()
    {
        // The wording SeedCommands.CountingLineWriter reads, as Features/Demo/SyntheticData.cs writes it.
        var reporter = new RecordingReporter();
        using var writer = new SeedCommands.CountingLineWriter(reporter);

        writer.WriteLine("12,000 messages, 1,500 conversations, 1,200 cases (6,263 messages/s)");
        writer.WriteLine("something else");

        reporter.Values.ShouldBe([12_000]);
    }

    private sealed class RecordingReporter : CliProgressReporter
    {
        public List<double> Values { get; } = [];

        public override void Set(double value) => Values.Add(value);
    }

    [Fact]
    public void Duplicate_evaluation_reports_its_progress()
    {
        var at = new DateTime(2025, 3, 1, 9, 0, 0, DateTimeKind.Utc);
        var reports = Enumerable.Range(0, 250).Select(i => new DatedReport(
            $"r{i}", "highways_road_surface", "pothole on the high street near the bus stop " + (i % 7), 51.9 + (i % 5) * 0.0001, -2.07, at.AddHours(i))).ToList();
        var seen = new List<int>();

        DuplicateEvaluation.Run(reports, new DuplicateOptions(),
            TermStatistics.Build(reports.Select(r => r.Text)), new SyncProgress(seen.Add));

        seen.ShouldBe([0, 100, 200]);
    }

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}

/// <summary>Tests that swap Console.Out/Error run alone, so no other test's console logging lands in what they read.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}
