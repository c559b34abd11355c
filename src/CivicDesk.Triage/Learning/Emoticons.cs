namespace CivicDesk.Triage.Learning;

/// <summary>Western text emoticons mapped to a few classes, so ":-)" and "(:" teach the model the same thing.</summary>
internal static class Emoticons
{
    private static readonly (string Pattern, string Token)[] Table =
    [
        (">:-(", "<angry>"), (">:(", "<angry>"), (":@", "<angry>"),
        (":'-(", "<cry>"), (":'(", "<cry>"), (":,(", "<cry>"),
        (":-)", "<smile>"), (":)", "<smile>"), (":]", "<smile>"), ("=)", "<smile>"), ("(:", "<smile>"), (":o)", "<smile>"),
        (":}", "<smile>"), ("^_^", "<smile>"), ("^^", "<smile>"), ("^.^", "<smile>"), (":-}", "<smile>"),
        (":-D", "<laugh>"), (":D", "<laugh>"), ("=D", "<laugh>"), ("xD", "<laugh>"), ("XD", "<laugh>"), (":'D", "<laugh>"),
        (";-)", "<wink>"), (";)", "<wink>"), (";D", "<wink>"), (";]", "<wink>"),
        (":-(", "<sad>"), (":(", "<sad>"), (":[", "<sad>"), ("=(", "<sad>"), (":c", "<sad>"),
        (":-P", "<tongue>"), (":-p", "<tongue>"), (":P", "<tongue>"), (":p", "<tongue>"), (";P", "<tongue>"), (";p", "<tongue>"),
        ("xP", "<tongue>"), ("XP", "<tongue>"),
        ("</3", "<brokenheart>"), ("<\\3", "<brokenheart>"), ("<3", "<heart>"),
        (":-/", "<skeptic>"), (":/", "<skeptic>"), (":-\\", "<skeptic>"), (":\\", "<skeptic>"), (":S", "<skeptic>"), (":s", "<skeptic>"),
        ("=/", "<skeptic>"),
        (":-O", "<surprise>"), (":-o", "<surprise>"), (":O", "<surprise>"), (":o", "<surprise>"), ("o_O", "<surprise>"),
        ("O_o", "<surprise>"), ("o.O", "<surprise>"), ("O.o", "<surprise>"), ("0_o", "<surprise>"),
        (":-|", "<neutralface>"), (":|", "<neutralface>"),
        (":-*", "<kiss>"), (":*", "<kiss>"), (";*", "<kiss>"),
    ];

    // Patterns grouped by first character, longest first, so a match is a short scan.
    private static readonly (string Pattern, string Token)[][] ByFirstChar = Build();

    private static (string, string)[][] Build()
    {
        var groups = new (string, string)[128][];
        foreach (var group in Table.GroupBy(e => e.Pattern[0]))
        {
            groups[group.Key] = [.. group.OrderByDescending(e => e.Pattern.Length)];
        }

        return groups;
    }

    /// <summary>Matches an emoticon at <paramref name="i"/>; it must not run into a following letter or digit.</summary>
    /// <param name="s">The text.</param>
    /// <param name="i">Position.</param>
    /// <param name="leftBoundary">True when the previous character is not a letter or digit.</param>
    /// <param name="token">The class token, e.g. &lt;smile&gt;.</param>
    /// <param name="length">Characters matched.</param>
    public static bool TryMatch(ReadOnlySpan<char> s, int i, bool leftBoundary, out string token, out int length)
    {
        token = "";
        length = 0;
        var c = s[i];
        if (c >= 128 || ByFirstChar[c] is not { } candidates)
        {
            return false;
        }

        // Emoticons that start with a letter or digit (xD, o_O) only count at the start of a token.
        if (char.IsLetterOrDigit(c) && !leftBoundary)
        {
            return false;
        }

        var rest = s[i..];
        foreach (var (pattern, cls) in candidates)
        {
            if (rest.StartsWith(pattern, StringComparison.Ordinal)
                && (rest.Length == pattern.Length || !char.IsLetterOrDigit(rest[pattern.Length])))
            {
                token = cls;
                length = pattern.Length;
                return true;
            }
        }

        return false;
    }
}
