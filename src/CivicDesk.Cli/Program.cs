using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;

namespace CivicDesk.Cli;

/// <summary>The civicdesk command. A named class, not top-level statements, so tests can reference both this and the web app's Program.</summary>
public static class CivicDeskCli
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>
    /// Parses and runs one command line. Exit codes (<see cref="CliExit"/>): 0 success, 1 the check failed, 2 usage error —
    /// a parse error (unknown command or option, missing argument, bad value) answers 2 here, before any command runs,
    /// as each command's own checks of its inputs do. <c>--help</c> and <c>--version</c> answer 0.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        // Response files off: "@council the bins…" passed to `triage explain` is text, not a file to read.
        var parse = BuildRoot().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync($"Run '{CommandPath(parse.CommandResult)} --help' for its options and examples.");
            return CliExit.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? r = command; r is CommandResult c; r = c.Parent)
        {
            names.Add(c.Command is RootCommand ? "civicdesk" : c.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("CivicDesk command line: audit, seeding, triage model training and evaluation, replay, estimates, aggregates, audience, organisations, teams and staff.\n" +
                                   "Exit codes: 0 success, 1 the check failed, 2 usage error. Progress bars go to standard error, only on a terminal.");
        root.Subcommands.Add(AuditCommands.Create());
        root.Subcommands.Add(SeedCommands.Create());
        root.Subcommands.Add(TriageCommands.Create());
        root.Subcommands.Add(DuplicateCommands.Create());
        root.Subcommands.Add(EtaCommands.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(AggregateCommands.Create());
        root.Subcommands.Add(AudienceCommands.Create());
        foreach (var command in StaffCommands.Create())
        {
            root.Subcommands.Add(command);
        }
        // RootCommand brings --help and --version; the built-in version reads the entry assembly, which is the test host
        // when the CLI runs in-process, so name ours.
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
        return root;
    }

    /// <summary>The informational version (version and commit, e.g. 1.0.0+93f6de9…), as <c>dotnet --version</c> prints its own.</summary>
    public static string Version =>
        typeof(CivicDeskCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CivicDeskCli).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return CliExit.Success;
        }
    }
}

internal static class CommandExamples
{
    /// <summary>Adds an "Examples:" block to the command's description, which <c>--help</c> prints.</summary>
    public static T WithExamples<T>(this T command, params string[] examples) where T : Command
    {
        command.Description += "\n\nExamples:" + string.Concat(examples.Select(e => "\n  " + e));
        return command;
    }
}
