using CivicDesk.Triage.Learning;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// The research datasets and genuine network payloads in <c>../shared/data</c>, which are never in the repository (see
/// docs/data.md). Found through <c>CIVICDESK_SHARED_DATA</c> (and only there when it is set, so a wrong setting skips
/// rather than guesses), else a <c>shared/data</c> folder above the test binaries or the working directory. A fresh
/// clone has none: tests that need it use <see cref="SharedDataFactAttribute"/> or <see cref="SharedDataTheoryAttribute"/>
/// and are reported as skipped with the reason, never as a <see cref="DirectoryNotFoundException"/>.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } =
        TriageData.FindDataDirectory(startDirectory: AppContext.BaseDirectory)
        ?? (Environment.GetEnvironmentVariable(TriageData.DataDirectoryVariable) is { Length: > 0 }
            ? null
            : TriageData.FindDataDirectory(startDirectory: Directory.GetCurrentDirectory()));

    /// <summary>The folder <paramref name="relative"/> (e.g. <c>payloads/mastodon</c>) under the shared data, or null.</summary>
    public static string? Find(string relative) =>
        Root is not null && Directory.Exists(Path.Combine(Root, relative)) ? Path.Combine(Root, relative) : null;

    /// <summary>The folder, or a clear error for a test that forgot its <see cref="SharedDataFactAttribute"/>.</summary>
    public static string Folder(string relative) => Find(relative) ?? throw new DirectoryNotFoundException(MissingReason(relative));

    public static string MissingReason(string relative) =>
        $"needs ../shared/data/{relative}, which is not on this machine (set {TriageData.DataDirectoryVariable} to the shared " +
        "data folder, or check out shared/ next to the repository)";
}

/// <summary>A fact skipped, with the reason shown, where the shared data folder it reads is missing.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string relative)
    {
        if (SharedData.Find(relative) is null)
        {
            Skip = SharedData.MissingReason(relative);
        }
    }
}

/// <summary>
/// A theory skipped, with the reason shown, where the shared data folder it reads is missing. xUnit then reports one
/// skipped test and never enumerates the member data, so data sources may list the folder's files.
/// </summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute(string relative)
    {
        if (SharedData.Find(relative) is null)
        {
            Skip = SharedData.MissingReason(relative);
        }
    }
}
