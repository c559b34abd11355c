using System.CommandLine;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Cli;

internal static class AuditCommands
{
    public static Command Create()
    {
        var audit = new Command("audit", "Inspect the tamper-evident audit trail.");
        var verify = new Command("verify", "Recompute every organisation's hash chain and report the first broken link. Exit 1 when a chain is broken.")
            .WithExamples("civicdesk audit verify", "civicdesk audit verify --organisation demo && echo intact");
        var organisation = new Option<string?>("--organisation") { Description = "Only this organisation (slug or id)." };
        verify.Options.Add(organisation);
        verify.SetAction(async (parse, ct) => await VerifyAsync(parse.GetValue(organisation), ct));
        audit.Subcommands.Add(verify);
        var checkpoint = new Command("checkpoint", "Sign a checkpoint of every organisation's chain now (the web app does it daily).")
            .WithExamples("civicdesk audit checkpoint");
        checkpoint.SetAction(async (_, ct) => await CheckpointAsync(ct));
        audit.Subcommands.Add(checkpoint);
        return audit;
    }

    public static async Task<int> CheckpointAsync(CancellationToken ct)
    {
        await using var app = CliHost.Build();
        await using var scope = app.Services.CreateAsyncScope();
        var signed = await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().SignAllAsync(ct);
        Console.WriteLine($"signed {signed} checkpoint(s) with the key at {scope.ServiceProvider.GetRequiredService<AuditSigningKey>().KeyPath}");
        return CliExit.Success;
    }

    /// <returns>0 when every chain is whole, 1 when a link is broken.</returns>
    public static async Task<int> VerifyAsync(string? organisation, CancellationToken ct)
    {
        await using var app = CliHost.Build();
        await using var scope = app.Services.CreateAsyncScope();
        var verifier = scope.ServiceProvider.GetRequiredService<AuditVerifier>();
        IReadOnlyList<AuditVerification> results;
        if (organisation is null)
        {
            results = await verifier.VerifyAllAsync(ct);
        }
        else
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var id = await db.Organisations.Where(o => o.Slug == organisation || o.Id.ToString() == organisation).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct);
            if (id is null)
            {
                Console.Error.WriteLine($"No organisation '{organisation}'.");
                return CliExit.Usage;
            }

            results = [await verifier.VerifyAsync(id.Value, ct)];
        }

        var broken = 0;
        foreach (var r in results)
        {
            if (r.FirstBreak is { } b)
            {
                broken++;
                Console.WriteLine($"organisation {r.OrganisationId}: BROKEN at sequence {b.Sequence} (event id {b.EventId}): {b.Problem}");
            }
            else
            {
                Console.WriteLine($"organisation {r.OrganisationId}: intact, {r.EventsChecked} events, {r.CheckpointsChecked} signed checkpoints");
            }
        }

        Console.WriteLine(broken == 0 ? "audit chain: intact" : $"audit chain: {broken} organisation(s) broken");
        return broken == 0 ? CliExit.Success : CliExit.Failed;
    }
}
