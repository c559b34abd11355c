namespace CivicDesk.Web.Platform;

public enum CommandOutcome
{
    Done,
    NotFound,
    Forbidden,
    Invalid,
}

/// <summary>
/// What a staff command did; Invalid carries the form field and a message in GOV.UK error-message style. Conversation,
/// triage-correction and assignment commands share it, so pages map outcomes to responses the same way everywhere.
/// </summary>
public sealed record CommandResult(CommandOutcome Outcome, string? Field = null, string? Error = null)
{
    public static readonly CommandResult Done = new(CommandOutcome.Done);
    public static readonly CommandResult NotFound = new(CommandOutcome.NotFound);
    public static readonly CommandResult Forbidden = new(CommandOutcome.Forbidden);

    public static CommandResult Invalid(string field, string error) => new(CommandOutcome.Invalid, field, error);
}
