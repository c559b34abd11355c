namespace CivicDesk.Triage.Places;

/// <summary>One street of a gazetteer with a representative point.</summary>
/// <param name="Name">The street as the organisation writes it ("Hewlett Road").</param>
/// <param name="Locality">The town, village or ward it lies in, if known; tells apart streets of the same name.</param>
/// <param name="Latitude">WGS84 latitude.</param>
/// <param name="Longitude">WGS84 longitude.</param>
/// <param name="Weight">How many source points were averaged into this one (1 for an imported row).</param>
public sealed record GazetteerEntry(string Name, string? Locality, double Latitude, double Longitude, int Weight = 1);

/// <summary>A street of the gazetteer found in a text.</summary>
/// <param name="Entry">The street chosen.</param>
/// <param name="Text">The words of the text that named it, as written.</param>
/// <param name="Candidates">How many streets share that name (1 = unambiguous).</param>
public sealed record GazetteerMatch(GazetteerEntry Entry, string Text, int Candidates);

/// <summary>
/// An organisation's streets with points, looked up by <see cref="StreetNames.Key"/> in a hash table, so a name written
/// "Hewlett Rd", "HEWLETT ROAD" or "hewlett road." finds the same street. Immutable: build a new one to change it.
/// When several streets share a name, a locality (given, or named in the text) decides; failing that the street with
/// most source points wins and <see cref="GazetteerMatch.Candidates"/> says it was a guess.
/// </summary>
public sealed class Gazetteer
{
    /// <summary>Longest street name, in words, that <see cref="FindIn"/> tries before the street type.</summary>
    private const int MaxNameWords = 5;

    private readonly Dictionary<string, GazetteerEntry[]> _byKey;

    /// <summary>Builds the lookup; entries with the same name and locality are kept as given (use <see cref="Build"/> to merge points).</summary>
    /// <param name="entries">The streets.</param>
    public Gazetteer(IEnumerable<GazetteerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _byKey = entries
            .Select(e => (Key: StreetNames.Key(e.Name), Entry: e))
            .Where(e => e.Key.Length > 0)
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Entry).OrderByDescending(e => e.Weight).ToArray(), StringComparer.Ordinal);
        Count = _byKey.Values.Sum(v => v.Length);
    }

    /// <summary>An empty gazetteer: finds nothing.</summary>
    public static Gazetteer Empty { get; } = new([]);

    /// <summary>Number of streets.</summary>
    public int Count { get; }

    /// <summary>
    /// Merges points of the same street and locality into their mean (a dataset of reports has many points per street).
    /// </summary>
    /// <param name="points">Street, locality and point per observation.</param>
    public static Gazetteer Build(IEnumerable<(string Name, string? Locality, double Latitude, double Longitude)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var merged = points
            .Where(p => double.IsFinite(p.Latitude) && double.IsFinite(p.Longitude))
            .GroupBy(p => (Name: StreetNames.Key(p.Name), Locality: StreetNames.Key(p.Locality ?? "")))
            .Where(g => g.Key.Name.Length > 0)
            .Select(g =>
            {
                var first = g.First();
                return new GazetteerEntry(first.Name, first.Locality, g.Average(p => p.Latitude), g.Average(p => p.Longitude), g.Count());
            });
        return new Gazetteer(merged);
    }

    /// <summary>The street called <paramref name="name"/> (in <paramref name="locality"/> when given and known), or null.</summary>
    /// <param name="name">The street name in any spelling <see cref="StreetNames.Key"/> folds.</param>
    /// <param name="locality">Optional town or ward.</param>
    public GazetteerEntry? Lookup(string name, string? locality = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_byKey.TryGetValue(StreetNames.Key(name), out var candidates))
        {
            return null;
        }

        if (candidates.Length > 1 && !string.IsNullOrWhiteSpace(locality))
        {
            var wanted = StreetNames.Key(locality);
            foreach (var c in candidates)
            {
                if (StreetNames.Key(c.Locality ?? "") == wanted)
                {
                    return c;
                }
            }
        }

        return candidates[0];
    }

    /// <summary>
    /// The first street of the gazetteer the text names, with or without a preposition before it ("Dog Lane has a
    /// pothole"), preferring the longest name ("Old Bath Road" over "Bath Road"); null when none.
    /// </summary>
    /// <param name="text">The message, normalised.</param>
    public GazetteerMatch? FindIn(NormalisedText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_byKey.Count == 0)
        {
            return null;
        }

        string? textKey = null;
        for (var end = 1; end < text.Count; end++)
        {
            if (!StreetNames.IsStreetType(text.Word(end)))
            {
                continue;
            }

            for (var words = Math.Min(MaxNameWords, end); words >= 1; words--)
            {
                var first = end - words;
                if (text.CrossesSentence(first, end) || !_byKey.TryGetValue(StreetNames.Key(text.Slice(first, end)), out var candidates))
                {
                    continue;
                }

                var chosen = candidates[0];
                if (candidates.Length > 1)
                {
                    textKey ??= " " + StreetNames.Key(text.Text) + " ";
                    chosen = candidates.FirstOrDefault(c => c.Locality is { Length: > 0 } l
                        && textKey.Contains(" " + StreetNames.Key(l) + " ", StringComparison.Ordinal)) ?? chosen;
                }

                return new GazetteerMatch(chosen, text.Slice(first, end), candidates.Length);
            }
        }

        return null;
    }

    /// <summary>Streets whose name or locality contains <paramref name="query"/> (folded like names), in name order, at most <paramref name="max"/>.</summary>
    /// <param name="query">Part of a name; empty lists the first streets.</param>
    /// <param name="max">Most results.</param>
    public IReadOnlyList<GazetteerEntry> Search(string? query, int max)
    {
        var key = StreetNames.Key(query ?? "");
        return _byKey
            .SelectMany(kv => kv.Value.Select(e => (kv.Key, Entry: e)))
            .Where(e => key.Length == 0 || e.Key.Contains(key, StringComparison.Ordinal)
                || StreetNames.Key(e.Entry.Locality ?? "").Contains(key, StringComparison.Ordinal))
            .Select(e => e.Entry)
            .OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(e => e.Locality, StringComparer.OrdinalIgnoreCase)
            .Take(max)
            .ToList();
    }
}
