using System.CommandLine;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Demo;

namespace CivicDesk.Cli;

internal static class SeedCommands
{
    public static Command Create()
    {
        var seed = new Command("seed", "Create ready-made data in the configured database.");
        var demo = new Option<bool>("--demo")
        {
            Description = "Seed the demo organisation (Demo Borough Council): teams, staff, channels, routing rules and messages. Does nothing if it exists.",
        };
        seed.Options.Add(demo);
        seed.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(demo))
            {
                await Console.Error.WriteLineAsync("Say what to seed: civicdesk seed --demo");
                return 2;
            }

            return await SeedDemoAsync(null, Console.Out, ct);
        });
        return seed;
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
        return 0;
    }
}
