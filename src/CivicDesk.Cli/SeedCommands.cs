using System.CommandLine;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Cli;

internal static partial class SeedCommands
{
    public static Command Create()
    {
        var seed = new Command("seed", "Create ready-made data in the configured database.")
            .WithExamples(
                "civicdesk seed --demo",
                "civicdesk seed --synthetic 1000000 --organisations 3",
                "Database__Provider=Postgres ConnectionStrings__CivicDesk=\"Host=...\" civicdesk seed --synthetic 200000");
        var demo = new Option<bool>("--demo")
        {
            Description = "Seed the demo organisation (Demo Borough Council): teams, staff, channels, routing rules and messages. Does nothing if it exists.",
        };
        var synthetic = new Option<long?>("--synthetic")
        {
            Description = "Bulk-insert N synthetic messages (with conversations and cases) for benchmarks, in new synthetic organisations. Not through the pipeline.",
        };
        var organisations = new Option<int>("--organisations") { Description = "Synthetic organisations to spread the messages over.", DefaultValueFactory = _ => 1 };
        var cases = new Option<double>("--cases-per-message") { Description = "Cases opened per synthetic message.", DefaultValueFactory = _ => 0.1 };
        var randomSeed = new Option<int>("--random-seed") { Description = "Seed of the generator: the same seed gives the same data.", DefaultValueFactory = _ => 20261202 };
        seed.Options.Add(demo);
        seed.Options.Add(synthetic);
        seed.Options.Add(organisations);
        seed.Options.Add(cases);
        seed.Options.Add(randomSeed);
        seed.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(synthetic) is { } n)
            {
                if (n <= 0 || parse.GetValue(organisations) <= 0 || parse.GetValue(cases) is < 0 or > 1)
                {
                    await Console.Error.WriteLineAsync("--synthetic needs N > 0, --organisations > 0 and --cases-per-message between 0 and 1.");
                    return CliExit.Usage;
                }

                var options = new SyntheticOptions(n, parse.GetValue(organisations), parse.GetValue(cases), parse.GetValue(randomSeed));
                return await CliProgress.RunAsync($"seed --synthetic {n:N0}", n, "messages", progress =>
                    // On a terminal the seeder's per-batch lines move the bar; otherwise they go to standard output as before.
                    SeedSyntheticAsync(null, options, Console.Out, ct, progress == CliProgressReporter.None ? Console.Out : new CountingLineWriter(progress)));
            }

            if (!parse.GetValue(demo))
            {
                await Console.Error.WriteLineAsync("Say what to seed: civicdesk seed --demo, or civicdesk seed --synthetic N");
                return CliExit.Usage;
            }

            // The demo's steps are not counted: a spinner with the time taken.
            return await CliProgress.RunAsync("seed --demo", null, "steps", _ => SeedDemoAsync(null, Console.Out, ct));
        });
        return seed;
    }

    /// <returns>0 once the synthetic data is committed.</returns>
    /// <remarks><c>batches</c>: where the seeder's per-batch lines go (default: <c>output</c>).</remarks>
    public static async Task<int> SeedSyntheticAsync(IEnumerable<KeyValuePair<string, string?>>? settings, SyntheticOptions options, TextWriter output,
        CancellationToken ct, TextWriter? batches = null)
    {
        await using var app = CliHost.Build(settings);
        await app.Services.MigrateDatabaseAsync(ct);
        var result = await app.Services.GetRequiredService<SyntheticSeeder>().SeedAsync(options, batches ?? output, ct);
        await output.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Seeded {result.Organisations} synthetic organisation(s): {result.Conversations:N0} conversations, {result.Messages:N0} messages, {result.Cases:N0} cases in {result.Elapsed.TotalSeconds:0.0} s ({result.Messages / result.Elapsed.TotalSeconds:N0} messages/s)."));
        return CliExit.Success;
    }

    /// <returns>0 when the demo organisation exists afterwards (seeded now or before).</returns>
    public static async Task<int> SeedDemoAsync(IEnumerable<KeyValuePair<string, string?>>? settings, TextWriter output, CancellationToken ct)
    {
        await using var app = CliHost.Build(settings);
        await app.Services.MigrateDatabaseAsync(ct);
        // The ingest pipeline's workers run with the host, so start it for the duration of the command.
        await app.StartAsync(ct);
        DemoSeedResult result;
        try
        {
            result = await app.Services.SeedDemoOrganisationAsync(ct);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }

        DemoFeature.PrintSignIns(output, result);
        return CliExit.Success;
    }

    /// <summary>
    /// Turns the synthetic seeder's batch lines ("12,000 messages, …") into progress. Reading its text couples us to its
    /// wording (Features/Demo/SyntheticData.cs), which is checked by SeedSyntheticProgressTests, rather than widening
    /// the seeder's interface for a terminal nicety.
    /// </summary>
    internal sealed partial class CountingLineWriter(CliProgressReporter progress) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (Count().Match(value ?? "") is { Success: true } m
                && long.TryParse(m.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture, out var done))
            {
                progress.Set(done);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"^([\d,]+) messages")]
        private static partial System.Text.RegularExpressions.Regex Count();
    }
}
