using System.Text;

namespace CivicDesk.Triage.Places;

/// <summary>
/// How street names are compared: lower case, letters and digits only, apostrophes dropped ("St Mary's" = "st marys"),
/// a possessive or plural "s" dropped from all but the last word ("St Marys" = "St Mary's"),
/// and the abbreviations Royal Mail and councils use expanded ("Rd" → "road", a last-word "St" → "street", a first-word
/// "St" → "saint"), so "HEWLETT RD." and "Hewlett Road" are one key.
/// </summary>
public static class StreetNames
{
    /// <summary>Last words that make a name a street ("Dog Lane", "Grangefield Approach").</summary>
    private static readonly HashSet<string> Types = new(
        ["road", "street", "lane", "avenue", "close", "drive", "way", "crescent", "place", "hill", "grove", "terrace", "gardens",
         "row", "walk", "court", "square", "parade", "mews", "rise", "approach", "view", "green", "end", "park", "vale", "gate",
         "boulevard", "circus", "wharf", "yard", "meadow", "meadows", "fields", "orchard", "bank", "villas", "passage", "alley",
         "quay", "croft", "chase", "mead"],
        StringComparer.Ordinal);

    private static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["rd"] = "road", ["st"] = "street", ["str"] = "street", ["ln"] = "lane", ["ave"] = "avenue", ["av"] = "avenue",
        ["cl"] = "close", ["dr"] = "drive", ["cres"] = "crescent", ["pl"] = "place", ["sq"] = "square", ["ter"] = "terrace",
        ["terr"] = "terrace", ["gdns"] = "gardens", ["gro"] = "grove", ["ct"] = "court", ["pde"] = "parade", ["wy"] = "way",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> TypeLookup = Types.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> AbbreviationLookup =
        Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when <paramref name="word"/> (lower case) is a street type or its abbreviation: "road", "rd", "gardens".</summary>
    /// <param name="word">One lower-case word.</param>
    public static bool IsStreetType(ReadOnlySpan<char> word) => TypeLookup.Contains(word) || AbbreviationLookup.ContainsKey(word);

    /// <summary>The comparison key of a name ("St. James' St" → "saint james street"); empty when it has no letters or digits.</summary>
    /// <param name="name">A street name or locality as written.</param>
    public static string Key(ReadOnlySpan<char> name)
    {
        Span<Range> words = stackalloc Range[16];
        Span<char> lower = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        var length = 0;
        foreach (var c in name)
        {
            if (c is '\'' or '\u2019')
            {
                continue;
            }

            lower[length++] = char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ';
        }

        var text = lower[..length];
        var count = 0;
        var i = 0;
        while (i < text.Length && count < words.Length)
        {
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            var start = i;
            while (i < text.Length && text[i] != ' ')
            {
                i++;
            }

            if (i > start)
            {
                words[count++] = start..i;
            }
        }

        var key = new StringBuilder(length + 16);
        for (var w = 0; w < count; w++)
        {
            var word = text[words[w]];
            if (key.Length > 0)
            {
                key.Append(' ');
            }

            if (word is "st" && w == 0 && count > 1)
            {
                key.Append("saint");
            }
            else if (word is "saint" or "st")
            {
                key.Append(w == count - 1 ? "street" : "saint");
            }
            else if (w == count - 1 && AbbreviationLookup.TryGetValue(word, out var full))
            {
                key.Append(full);
            }
            else if (w < count - 1 && word.Length > 3 && word[^1] == 's')
            {
                // "St Mary's", "St Marys" and "St Mary" are one name, as are "St James'" and "St James's".
                key.Append(word.TrimEnd('s'));
            }
            else
            {
                key.Append(word);
            }
        }

        return key.ToString();
    }

    /// <summary>
    /// The street of a FixMyStreet-style address line and the place after it: "6, Great Western Terrace, Alstone,
    /// Cheltenham" → ("Great Western Terrace", "Alstone"); "14 Bibury Road, Cheltenham" → ("Bibury Road", "Cheltenham").
    /// Null when no part ends in a street type ("A40, Hatherley").
    /// </summary>
    /// <param name="address">Comma-separated address, house number first if any.</param>
    public static (string Street, string? Locality)? SplitAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }

        var parts = address.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var p = 0; p < parts.Length; p++)
        {
            var street = StripHouseNumber(parts[p]);
            var words = street.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && IsStreetType(words[^1].ToLowerInvariant().TrimEnd('.')))
            {
                return (street, p + 1 < parts.Length ? parts[p + 1] : null);
            }
        }

        return null;
    }

    /// <summary>"36a Hanover Street" → "Hanover Street"; "1-2a Crescent Terrace" → "Crescent Terrace".</summary>
    private static string StripHouseNumber(string part)
    {
        var space = part.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && char.IsDigit(part[0]) ? part[(space + 1)..].Trim() : part;
    }
}
