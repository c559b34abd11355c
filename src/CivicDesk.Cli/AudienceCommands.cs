using System.CommandLine;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Dashboards.Audience;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Cli;

internal static class AudienceCommands
{
    public static Command Create()
    {
        var audience = new Command("audience", "Audience and reach per connected account (docs/dashboards.md).");
        var collect = new Command("collect", "Read followers and post reactions from Bluesky, Mastodon, X and Facebook now, as the daily job does; exit 1 if an account could not be read.")
            .WithExamples("civicdesk audience collect", "civicdesk audience collect --organisation demo --force");
        var organisation = new Option<string?>("--organisation") { Description = "Only this organisation (slug or id)." };
        var force = new Option<bool>("--force") { Description = "Read accounts already read today again (replaces today's figures)." };
        collect.Options.Add(organisation);
        collect.Options.Add(force);
        collect.SetAction(async (parse, ct) => await CollectAsync(parse.GetValue(organisation), parse.GetValue(force), ct));
        audience.Subcommands.Add(collect);
        return audience;
    }

    public static async Task<int> CollectAsync(string? organisation, bool force, CancellationToken ct, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        await using var app = CliHost.Build(settings);
        await app.Services.MigrateDatabaseAsync(ct);
        long? id = null;
        if (organisation is not null)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            id = await db.Organisations.Where(o => o.Slug == organisation || o.Id.ToString() == organisation).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct);
            if (id is null)
            {
                await Console.Error.WriteLineAsync($"No organisation '{organisation}'.");
                return CliExit.Usage;
            }
        }

        var result = await app.Services.GetRequiredService<AudienceCollector>().RunAsync(id, force, ct);
        Console.WriteLine($"{result.Accounts} account(s): {result.Read} read ({result.Posts} post(s)), {result.Failed} failed, {result.NotDue} already read today or waiting to retry.");
        foreach (var error in result.Errors)
        {
            await Console.Error.WriteLineAsync(error);
        }

        return result.Failed > 0 ? CliExit.Failed : CliExit.Success;
    }
}
