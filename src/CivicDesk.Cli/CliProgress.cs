using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CivicDesk.Cli;

/// <summary>
/// Exit codes every command keeps, as its peers do (git, dotnet, grep): scripts can tell "it ran and the answer is no"
/// from "you called it wrongly".
/// </summary>
public static class CliExit
{
    /// <summary>The command did what it was asked, and any check it makes passed.</summary>
    public const int Success = 0;

    /// <summary>The check failed (a broken audit chain, refused batches) or the work could not be done.</summary>
    public const int Failed = 1;

    /// <summary>Usage error: an unknown or missing option or argument, a bad value, an input that is not there.</summary>
    public const int Usage = 2;
}

/// <summary>Progress of one long-running step; a no-op when nobody is watching.</summary>
public class CliProgressReporter
{
    public static readonly CliProgressReporter None = new();

    public virtual void Set(double value)
    {
    }

    public virtual void Increment(double amount = 1)
    {
    }

    public virtual void Total(double total)
    {
    }

    public virtual void Describe(string description)
    {
    }

    /// <summary>A line for the person at the terminal (above the bar); nothing when progress is off.</summary>
    public virtual void Note(string line)
    {
    }
}

/// <summary>
/// Progress bars with rate and time left (Spectre.Console) on standard error, only when a person is watching it: when
/// stderr is redirected, in CI, on a dumb terminal or with CIVICDESK_NO_PROGRESS set there is no bar at all, so scripts
/// read standard output (results, JSON) exactly as before.
/// </summary>
public static class CliProgress
{
    public static bool Shown =>
        !Console.IsErrorRedirected
        && Environment.GetEnvironmentVariable("CI") is null
        && Environment.GetEnvironmentVariable("CIVICDESK_NO_PROGRESS") is null
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

    /// <summary>
    /// Runs <c>work</c> under a bar named <c>description</c>. <c>total</c>: units of work, or null when unknown (a spinner
    /// with the count and rate); <c>unit</c>: what is counted, for the rate ("messages" gives "1,234 messages/s").
    /// </summary>
    public static async Task<T> RunAsync<T>(string description, double? total, string unit, Func<CliProgressReporter, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!Shown)
        {
            return await work(CliProgressReporter.None);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new CountColumn(), new RateColumn(unit),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: total is > 0 ? total.Value : 1);
                task.IsIndeterminate = total is null;
                var result = await work(new SpectreReporter(task, console));
                task.IsIndeterminate = false;
                task.MaxValue = Math.Max(task.Value, 1);
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            });
    }

    public static T Run<T>(string description, double? total, string unit, Func<CliProgressReporter, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!Shown)
        {
            return work(CliProgressReporter.None);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new CountColumn(), new RateColumn(unit),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: total is > 0 ? total.Value : 1);
                task.IsIndeterminate = total is null;
                var result = work(new SpectreReporter(task, console));
                task.IsIndeterminate = false;
                task.MaxValue = Math.Max(task.Value, 1);
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            });
    }

    private sealed class SpectreReporter(ProgressTask task, IAnsiConsole console) : CliProgressReporter
    {
        public override void Set(double value) => task.Value = value;

        public override void Increment(double amount = 1) => task.Increment(amount);

        public override void Total(double total)
        {
            task.MaxValue = Math.Max(total, 1);
            task.IsIndeterminate = false;
        }

        public override void Describe(string description) => task.Description = Markup.Escape(description);

        public override void Note(string line) => console.WriteLine(line);
    }

    /// <summary>Done so far (and of how many), e.g. "12,000/100,000".</summary>
    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.IsIndeterminate
                ? task.Value.ToString("N0", CultureInfo.InvariantCulture)
                : $"{task.Value.ToString("N0", CultureInfo.InvariantCulture)}/{task.MaxValue.ToString("N0", CultureInfo.InvariantCulture)}");
    }

    /// <summary>Units a second, from Spectre's sliding window of recent increments.</summary>
    private sealed class RateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? $"{speed.ToString(speed < 10 ? "0.0" : "N0", CultureInfo.InvariantCulture)} {unit}/s" : "");
    }
}
