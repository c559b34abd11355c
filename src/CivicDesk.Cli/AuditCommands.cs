using System.CommandLine;
using CivicDesk.Web.Features.Audit;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CivicDesk.Cli;

internal static class AuditCommands
{
    public static Command Create()
    {
        var audit = new Command("audit", "Inspect the tamper-evident audit trail.");
        var verify = new Command("verify", "Recompute every organisation's hash chain and report the first broken link.");
        verify.SetAction(async (_, ct) => await VerifyAsync(ct));
        audit.Subcommands.Add(verify);
        return audit;
    }

    /// <returns>0 when every chain is whole, 1 when a link is broken.</returns>
    public static async Task<int> VerifyAsync(CancellationToken ct)
    {
        await using var app = CliHost.Build();
        await using var scope = app.Services.CreateAsyncScope();
        var results = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAllAsync(ct);
        var broken = 0;
        foreach (var r in results)
        {
            if (r.FirstBreak is { } b)
            {
                broken++;
                AnsiConsole.MarkupLineInterpolated($"[red]organisation {r.OrganisationId}: BROKEN at sequence {b.Sequence} (event id {b.EventId}): {b.Problem}[/]");
            }
            else
            {
                AnsiConsole.MarkupLineInterpolated($"[green]organisation {r.OrganisationId}: intact, {r.EventsChecked} events[/]");
            }
        }

        Console.WriteLine(broken == 0 ? "audit chain: intact" : $"audit chain: {broken} organisation(s) broken");
        return broken == 0 ? 0 : 1;
    }
}
