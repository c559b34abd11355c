using System.CommandLine;
using System.Diagnostics;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Dashboards;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Cli;

internal static class AggregateCommands
{
    public static Command Create()
    {
        var aggregates = new Command("aggregates", "Dashboard aggregate tables (docs/dashboards.md).");
        var rebuild = new Command("rebuild", "Recompute the hourly, daily and topic aggregates from the messages, one local day per transaction.");
        var organisation = new Option<string?>("--organisation") { Description = "Only this organisation (slug or id)." };
        rebuild.Options.Add(organisation);
        rebuild.SetAction(async (parse, ct) => await RebuildAsync(parse.GetValue(organisation), ct));
        aggregates.Subcommands.Add(rebuild);
        return aggregates;
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
                return 2;
            }
        }

        var clock = Stopwatch.StartNew();
        var days = await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>()
            .RebuildAsync(id, new Progress<string>(Console.WriteLine), ct);
        Console.WriteLine($"Rebuilt {days} days of aggregates in {clock.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }
}
