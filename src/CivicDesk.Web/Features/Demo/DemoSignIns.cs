using System.Text;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Features.Demo;

/// <summary>One demo account as written to <c>demo-sign-ins.txt</c>.</summary>
public sealed record DemoSignIn(string Email, string Password, string Role, string Team);

/// <summary>
/// The demo's generated passwords (and a generated API key) in <c>&lt;data dir&gt;/demo-sign-ins.txt</c>, git-ignored with the
/// rest of the data directory. Demo mode only: a real deployment creates its own staff and never has this file.
/// </summary>
public static partial class DemoSignIns
{
    public const string FileName = "demo-sign-ins.txt";
    private const string KeyPrefix = "Ingest API key: ";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static async Task WriteAsync(string dataDirectory, IReadOnlyList<DemoSignIn> signIns, string? generatedApiKey, CancellationToken ct)
    {
        var text = new StringBuilder()
            .AppendLine("# CivicDesk demo sign-ins (demo mode only). Generated passwords for the demo organisation; delete with the data.")
            .AppendLine("# email / password / role (team)");
        foreach (var s in signIns)
        {
            text.AppendLine($"{s.Email} / {s.Password} / {s.Role} ({s.Team})");
        }

        if (generatedApiKey is not null)
        {
            text.AppendLine(KeyPrefix + generatedApiKey);
        }

        var path = PathIn(dataDirectory);
        await File.WriteAllTextAsync(path, text.ToString(), ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>The accounts in the file, and the generated API key if it holds one; empty when there is no file.</summary>
    public static async Task<(IReadOnlyList<DemoSignIn> SignIns, string? ApiKey)> ReadAsync(string dataDirectory, CancellationToken ct)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return ([], null);
        }

        var signIns = new List<DemoSignIn>();
        string? key = null;
        foreach (var line in await File.ReadAllLinesAsync(path, ct))
        {
            if (line.StartsWith(KeyPrefix, StringComparison.Ordinal))
            {
                key = line[KeyPrefix.Length..].Trim();
            }
            else if (Line().Match(line) is { Success: true } m)
            {
                signIns.Add(new DemoSignIn(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value));
            }
        }

        return (signIns, key);
    }

    [GeneratedRegex(@"^(\S+@\S+) / (\S+) / (\S+) \((.*)\)$")]
    private static partial Regex Line();
}
