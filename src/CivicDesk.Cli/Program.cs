using System.CommandLine;

namespace CivicDesk.Cli;

/// <summary>The civicdesk command. A named class, not top-level statements, so tests can reference both this and the web app's Program.</summary>
public static class CivicDeskCli
{
    // Response files off: "@council the bins…" passed to `triage explain` is text, not a file to read.
    public static async Task<int> Main(string[] args) =>
        await BuildRoot().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync();

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("CivicDesk command line: audit, seeding, triage model training and evaluation.");
        root.Subcommands.Add(AuditCommands.Create());
        root.Subcommands.Add(SeedCommands.Create());
        root.Subcommands.Add(TriageCommands.Create());
        root.Subcommands.Add(DuplicateCommands.Create());
        root.Subcommands.Add(EtaCommands.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(AggregateCommands.Create());
        return root;
    }
}
