using System.CommandLine;
using System.Diagnostics;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Dashboards;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CivicDesk.Cli;

internal static class AggregateCommands
{
    public static Command Create()
    {
        var aggregates = new Command("aggregates", "Dashboard aggregate tables (docs/dashboards.md).");
        var rebuild = new Command("rebuild", "Recompute the hourly, daily and topic aggregates from the messages, one local day per transaction.")
            .WithExamples("civicdesk aggregates rebuild", "civicdesk aggregates rebuild --organisation demo");
        var organisation = new Option<string?>("--organisation") { Description = "Only this organisation (slug or id)." };
        rebuild.Options.Add(organisation);
        rebuild.SetAction(async (parse, ct) => await RebuildAsync(parse.GetValue(organisation), ct));
        aggregates.Subcommands.Add(rebuild);
        var catchUp = new Command("catch-up", "Recompute the hours waiting in the dirty log now, as the web app's worker does each tick (e.g. after a synthetic seed).")
            .WithExamples("civicdesk aggregates catch-up");
        catchUp.SetAction(async (_, ct) => await CatchUpAsync(ct));
        aggregates.Subcommands.Add(catchUp);
        return aggregates;
    }

    /// <summary>
    /// Drains the dirty log in the worker's batches (Dashboards:AggregateBatchSize and AggregateBatchMessages), so writers
    /// wait no longer than they would for the worker; safe beside a running app (same gate, same advisory lock).
    /// </summary>
    public static async Task<int> CatchUpAsync(CancellationToken ct, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        await using var app = CliHost.Build(settings);
        await app.Services.MigrateDatabaseAsync(ct);
        await using var scope = app.Services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var maintainer = scope.ServiceProvider.GetRequiredService<AggregateMaintainer>();
        var clock = Stopwatch.StartNew();
        var marks = await maintainer.DrainAsync(ct, options.AggregateBatchSize, options.AggregateBatchMessages);
        Console.WriteLine($"Caught up {marks:N0} dirty hour marks in {clock.Elapsed.TotalSeconds:F1} s.");
        return CliExit.Success;
    }

    public static async Task<int> RebuildAsync(string? organisation, CancellationToken ct, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        await using var app = CliHost.Build(settings);
        await app.Services.MigrateDatabaseAsync(ct);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        long? id = null;
        if (organisation is not null)
        {
            id = await db.Organisations.Where(o => o.Slug == organisation || o.Id.ToString() == organisation).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct);
            if (id is null)
            {
                await Console.Error.WriteLineAsync($"No organisation '{organisation}'.");
                return CliExit.Usage;
            }
        }

        var clock = Stopwatch.StartNew();
        var maintainer = scope.ServiceProvider.GetRequiredService<AggregateMaintainer>();
        // The maintainer reports every 30 days; the total is not known up front, so the bar counts days and their rate.
        var days = await CliProgress.RunAsync("aggregates rebuild", null, "days", progress =>
            maintainer.RebuildAsync(id, new DayProgress(progress), ct));
        Console.WriteLine($"Rebuilt {days} days of aggregates in {clock.Elapsed.TotalSeconds:F1} s.");
        return CliExit.Success;
    }

    /// <summary>On a terminal the bar; otherwise the maintainer's lines on standard output, as before. Synchronous on purpose.</summary>
    private sealed class DayProgress(CliProgressReporter progress) : IProgress<string>
    {
        public void Report(string value)
        {
            if (progress == CliProgressReporter.None)
            {
                Console.WriteLine(value);
                return;
            }

            progress.Describe("aggregates rebuild: " + value);
            progress.Increment(30);
        }
    }
}
