namespace CivicDesk.Web.Features.Inbox;

/// <summary>Someone a note could mention: by the local part of their email (@jo.bloggs) or their display name (@Jo Bloggs).</summary>
public sealed record MentionCandidate(string StaffId, string? Email, string DisplayName);

public static class Mentions
{
    /// <summary>
    /// The staff mentioned in <paramref name="text"/>, in order of first mention. An @ inside a word (an email address)
    /// is not a mention; where several names fit at one @, the longest wins ("@Jo Bloggs" over "@jo").
    /// </summary>
    public static IReadOnlyList<string> Find(string text, IEnumerable<MentionCandidate> staff)
    {
        var tokens = staff
            .SelectMany(s => new[] { LocalPart(s.Email), s.DisplayName }.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => (Token: t!.Trim(), s.StaffId)))
            .OrderByDescending(t => t.Token.Length)
            .ToList();
        var found = new List<string>();
        for (var at = text.IndexOf('@', StringComparison.Ordinal); at >= 0; at = text.IndexOf('@', at + 1))
        {
            if (at > 0 && IsNamePart(text[at - 1]))
            {
                continue;
            }

            var rest = text.AsSpan(at + 1);
            foreach (var (token, staffId) in tokens)
            {
                if (rest.StartsWith(token, StringComparison.OrdinalIgnoreCase) && EndsCleanly(rest[token.Length..]))
                {
                    if (!found.Contains(staffId))
                    {
                        found.Add(staffId);
                    }

                    break;
                }
            }
        }

        return found;
    }

    private static string? LocalPart(string? email)
    {
        var at = email?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        return at > 0 ? email![..at] : null;
    }

    private static bool IsNamePart(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>A mention ends at the end of the text or a character that cannot continue a name ("@jo." ends; "@jo.bloggs" does not).</summary>
    private static bool EndsCleanly(ReadOnlySpan<char> after) =>
        after.IsEmpty || (!IsNamePart(after[0]) && !((after[0] is '.' or '-' or '\'') && after.Length > 1 && IsNamePart(after[1])));
}
