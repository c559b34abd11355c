using System.Globalization;
using System.Text.RegularExpressions;

namespace CivicDesk.Triage;

/// <summary>
/// Finds where a message is about: a full UK postcode, a street named after "on", "at", "near", "outside",
/// "opposite", "by", "junction of" (and a few more prepositions), a bare postcode district ("GL50"), or the payload's
/// geotag, in that order of preference for the words (most precise first). The payload's geotag, when there is one,
/// gives the coordinates whatever the words say: a phone's fix beats a name that a gazetteer would have to guess.
/// Street types may be abbreviated ("Hewlett Rd", "High St", "Kew Ln", "Eldon Ave"); see <see cref="Places.StreetNames"/>
/// for how names are compared and <see cref="Places.Gazetteer"/> for turning them into points.
/// </summary>
public static partial class PlaceFinder
{
    /// <summary>UK postcode areas (the letters before the first digit), so "ZZ1 1ZZ" or "A40" are not taken for postcodes.</summary>
    private static readonly HashSet<string> Areas = new(
        ("AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU " +
         "GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE " +
         "PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE")
        .Split(' '), StringComparer.Ordinal);

    /// <summary>Words that precede "road", "way", "park"… without naming a street ("the road", "my way", "car park").</summary>
    private static readonly HashSet<string> NotNames = new(
        ["the", "a", "an", "this", "that", "these", "those", "my", "our", "your", "their", "his", "her", "its", "every", "each",
         "any", "some", "no", "which", "what", "whose", "one", "two", "same", "other", "another", "next", "main", "busy", "side",
         "slip", "dirt", "country", "private", "whole", "entire", "wrong", "narrow", "public", "access", "service", "car",
         "residential", "local", "quiet", "steep", "long", "short", "very", "so", "too", "more", "all", "both", "half", "bus",
         "cycle", "bike", "ring", "link", "nearby", "adjacent", "single", "unadopted", "unmade", "skate", "play", "theme",
         "retail", "business", "industrial", "national", "such", "actual", "uneven", "broken", "outer", "inner", "filter", "give",
         "cross", "residents", "children", "hedge", "left", "right", "northbound", "southbound", "eastbound", "westbound", "fast",
         "slow", "middle", "bumpy", "dangerous", "dark", "muddy", "flooded", "bad", "poor", "half", "roughly", "school"],
        StringComparer.Ordinal);

    /// <summary>Words after which a street name may follow ("outside Dog Lane").</summary>
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Prepositions = new HashSet<string>(
        ["on", "at", "near", "outside", "opposite", "of", "along", "by", "in", "off", "from", "into", "beside", "behind", "past", "up", "down", "to", "towards", "junction", "corner", "between", "and", "with"],
        StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> StreetWords = new HashSet<string>(
        ["road", "street", "lane", "avenue", "close", "drive", "way", "crescent", "place", "hill", "grove", "terrace", "gardens", "row", "walk", "park",
         "court", "square", "parade", "mews", "rise", "rd", "st", "ln", "ave"],
        StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NotNameWords = NotNames.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary><see cref="StreetWords"/> probed with the hash the text already has for every word (one test per word of every message).</summary>
    private static readonly WordTable<bool> StreetWordTable = new([.. StreetWords.Set.Select(w => KeyValuePair.Create(w, true))]);

    /// <summary>Finds the most precise place in <paramref name="text"/>, else the geotag, else null.</summary>
    /// <param name="text">The message, normalised.</param>
    /// <param name="latitude">Payload latitude, if any.</param>
    /// <param name="longitude">Payload longitude, if any.</param>
    public static PlaceMention? Find(NormalisedText text, double? latitude, double? longitude)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Every postcode has a digit; most messages have none, and then the patterns need not run.
        // Every postcode and district has a letter just before a digit; most messages have no such pair (many have no
        // digit), and then the patterns need not run. A superset of what the patterns' [a-z] takes, so nothing is missed.
        var codes = LetterBeforeDigit(text.Chars);
        var geotag = Geotag(latitude, longitude);
        var mention = (codes ? FindPostcode(text.Chars) : null) ?? FindStreet(text) ?? (codes ? FindOutwardCode(text.Chars) : null);
        return mention is null ? geotag
            : geotag is null ? mention
            : mention with { Latitude = geotag.Latitude, Longitude = geotag.Longitude };
    }

    /// <summary>Every full postcode in the text, normalised ("GL50 1PQ"), in order, without repeats.</summary>
    /// <param name="text">The text to search.</param>
    public static IReadOnlyList<PlaceMention> FindPostcodes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<PlaceMention>();
        foreach (var m in FullPostcode().EnumerateMatches(text))
        {
            if (Postcode(text.AsSpan(m.Index, m.Length)) is { } p && !found.Contains(p))
            {
                found.Add(p);
            }
        }

        return found;
    }

    /// <summary>Every street a preposition introduces, in order (see <see cref="FindStreet"/>), without repeats.</summary>
    /// <param name="text">The message, normalised.</param>
    public static IReadOnlyList<PlaceMention> FindStreets(NormalisedText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<PlaceMention>();
        for (var s = 1; s < text.Count; s++)
        {
            if (StreetAt(text, s) is { } street && !found.Exists(f => Places.StreetNames.Key(f.Text) == Places.StreetNames.Key(street.Text)))
            {
                found.Add(street);
            }
        }

        return found;
    }

    /// <summary>A full postcode, normalised to upper case with one space ("gl501pq" → "GL50 1PQ"), or null.</summary>
    /// <param name="text">The text to search.</param>
    public static PlaceMention? FindPostcode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FindPostcode(text.AsSpan());
    }

    private static bool LetterBeforeDigit(ReadOnlySpan<char> text)
    {
        for (var i = text.IndexOfAnyInRange('0', '9'); i >= 0; i = text[(i + 1)..].IndexOfAnyInRange('0', '9') is var next and >= 0 ? i + 1 + next : -1)
        {
            if (i > 0 && char.IsLetter(text[i - 1]))
            {
                return true;
            }
        }

        return false;
    }

    private static PlaceMention? FindPostcode(ReadOnlySpan<char> text)
    {
        foreach (var m in FullPostcode().EnumerateMatches(text))
        {
            if (Postcode(text.Slice(m.Index, m.Length)) is { } p)
            {
                return p;
            }
        }

        return null;
    }

    private static PlaceMention? Postcode(ReadOnlySpan<char> match)
    {
        // On the stack: the match is at most 9 characters (outward 4, two spaces, inward 3).
        Span<char> compact = stackalloc char[match.Length];
        var length = 0;
        foreach (var c in match)
        {
            if (!char.IsWhiteSpace(c))
            {
                compact[length++] = char.ToUpperInvariant(c);
            }
        }

        var outward = compact[..(length - 3)];
        if (!AreaLookup.Contains(AreaOf(outward)))
        {
            return null;
        }

        Span<char> written = stackalloc char[length + 1];
        outward.CopyTo(written);
        written[outward.Length] = ' ';
        compact[(length - 3)..length].CopyTo(written[(outward.Length + 1)..]);
        return Answer(PostcodeAnswer, written, "postcode");
    }

    private const int StreetAnswer = 0, PostcodeAnswer = 1, OutwardAnswer = 2;

    // Places found in earlier messages, reused when the same words come again (see AnswerCache).
    private static readonly AnswerCache<PlaceMention> Answers = new();

    private static PlaceMention Answer(int kind, ReadOnlySpan<char> written, string kindName)
    {
        if (!Answers.TryGet(kind, written, out var place, out var slot))
        {
            place = new PlaceMention(written.ToString(), kindName);
            Answers.Add(slot, kind, place.Text, place);
        }

        return place;
    }

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> AreaLookup = Areas.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// A bare postcode district such as "GL50", or null. Only two-letter areas count: "M5", "B4" and "E1" are more
    /// often roads or bus routes.
    /// </summary>
    /// <param name="text">The text to search.</param>
    public static PlaceMention? FindOutwardCode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FindOutwardCode(text.AsSpan());
    }

    private static PlaceMention? FindOutwardCode(ReadOnlySpan<char> text)
    {
        // Upper-cased on the stack: most matches ("mp3", "ps5", "co2") are not districts and cost nothing.
        Span<char> code = stackalloc char[4];
        foreach (var m in OutwardCode().EnumerateMatches(text))
        {
            var upper = code[..m.Length];
            text.Slice(m.Index, m.Length).ToUpperInvariant(upper);
            var area = AreaOf(upper);
            // CO2 is Colchester's district, and far more often carbon dioxide.
            if (area.Length == 2 && AreaLookup.Contains(area) && upper is not "CO2")
            {
                return Answer(OutwardAnswer, upper, "outward_code");
            }
        }

        return null;
    }

    /// <summary>
    /// A street named after a preposition, as written: "outside 12 Dog Lane" and "on the Dog Lane" give "Dog Lane";
    /// "on the road" and "in the car park" give nothing. Up to three name words, in one sentence.
    /// </summary>
    /// <param name="text">The message, normalised.</param>
    public static PlaceMention? FindStreet(NormalisedText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var s = 1; s < text.Count; s++)
        {
            if (StreetAt(text, s) is { } street)
            {
                return street;
            }
        }

        return null;
    }

    /// <summary>The street whose type word is word <paramref name="s"/>, if a preposition introduces it.</summary>
    private static PlaceMention? StreetAt(NormalisedText text, int s)
    {
        if (!StreetWordTable.Contains(text.Word(s), text.WordHash(s)))
        {
            return null;
        }

        // The shortest name that a preposition (and perhaps a house number) introduces.
        for (var length = 1; length <= 3 && s - length >= 1; length++)
        {
            var first = s - length;
            if (!IsNameWord(text, first) || !IsJoined(text, first, s))
            {
                break;
            }

            var before = first - 1;
            if (before >= 1 && IsHouseNumber(text.Word(before)) && !text.Tokens[before + 1].StartsSentence)
            {
                before--;
            }

            if (text.Tokens[before + 1].StartsSentence || !Prepositions.Contains(text.Word(before)))
            {
                continue;
            }

            while (first < s && NotNameWords.Contains(text.Word(first)))
            {
                first++;
            }

            if (first < s && IsName(text, first, s))
            {
                return Answer(StreetAnswer, text.SliceSpan(first, s), "street");
            }

            break;
        }

        return null;
    }
    /// <summary>True for a UK postcode area ("GL", "B", "SW"); case-sensitive, upper case.</summary>
    /// <param name="area">The letters before the first digit.</param>
    public static bool IsPostcodeArea(string area) => Areas.Contains(area);

    /// <summary>The payload geotag as a place, when both coordinates are present and in range.</summary>
    public static PlaceMention? Geotag(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon && double.IsFinite(lat) && double.IsFinite(lon) && Math.Abs(lat) <= 90 && Math.Abs(lon) <= 180
            ? new PlaceMention(string.Create(CultureInfo.InvariantCulture, $"{lat:0.#####}, {lon:0.#####}"), "geotag", lat, lon)
            : null;

    private static bool IsNameWord(NormalisedText text, int index)
    {
        var word = text.Word(index);
        foreach (var c in word)
        {
            if (!char.IsLetter(c) && c != '\'')
            {
                return false;
            }
        }

        // "St" is Saint before a name ("St. James Street") and Street after one ("High St").
        return !Prepositions.Contains(word) && (word is "st" || !StreetWords.Contains(word));
    }

    /// <summary>
    /// No describing word inside the name ("Cheltenham roughly half way", "such a busy road") and no lower-case adverb or
    /// participle ("partially blocking road", "newly resurfaced road"): those describe a road, they do not name one.
    /// </summary>
    private static bool IsName(NormalisedText text, int first, int last)
    {
        for (var i = first; i < last; i++)
        {
            var word = text.Word(i);
            if (NotNameWords.Contains(word))
            {
                return false;
            }

            var written = text.Chars[text.Tokens[i].Start];
            if (!char.IsUpper(written) && (word.EndsWith("ly") || word.EndsWith("ing") || word.EndsWith("ed")))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"12", "12a", "no", "number", "no12".</summary>
    private static bool IsHouseNumber(ReadOnlySpan<char> word)
    {
        if (word is "no" or "number")
        {
            return true;
        }

        var digits = word.StartsWith("no") ? word[2..] : word;
        if (digits.Length > 0 && char.IsLetter(digits[^1]))
        {
            digits = digits[..^1];
        }

        return digits.Length is > 0 and <= 4 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Only spaces, and the dot of "St. James", between the words of a street name.</summary>
    private static bool IsJoined(NormalisedText text, int first, int last)
    {
        for (var i = first; i < last; i++)
        {
            var gap = text.Chars.Slice(text.Tokens[i].End, text.Tokens[i + 1].Start - text.Tokens[i].End);
            var dots = 0;
            foreach (var c in gap)
            {
                // A dot only after "St" ("St. James"): elsewhere it ends a sentence or an ellipsis.
                if (c == '.' ? ++dots > 1 || text.Word(i) is not "st" : c is not (' ' or '\t'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static ReadOnlySpan<char> AreaOf(ReadOnlySpan<char> outward)
    {
        var letters = 0;
        while (letters < outward.Length && char.IsLetter(outward[letters]))
        {
            letters++;
        }

        return outward[..letters];
    }

    // The patterns are linear; the timeouts (1 s, wall clock) only guard against a starved machine, and are generous
    // because a test host running many threads on two shared cores can deschedule a thread for 100 ms.
    // Outward code (area + district: A9, A99, AA9, AA99, A9A, AA9A), optional space, inward code (digit + two letters
    // from the set Royal Mail uses: never C, I, K, M, O or V).
    [GeneratedRegex(@"\b[a-z]{1,2}[0-9][a-z0-9]?[ \t]{0,2}[0-9][abd-hjlnp-uw-z]{2}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex FullPostcode();

    [GeneratedRegex(@"\b[a-z]{2}[0-9][a-z0-9]?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex OutwardCode();
}
