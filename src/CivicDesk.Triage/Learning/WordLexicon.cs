using System.Diagnostics.CodeAnalysis;

namespace CivicDesk.Triage.Learning;

/// <summary>What a word does to negation scope.</summary>
internal enum WordRole : byte
{
    None,

    /// <summary>Opens a negation scope: not, never, don't, ... (Das and Chen 2001; Pang, Lee and Vaithyanathan 2002).</summary>
    Negator,

    /// <summary>Closes it: "but".</summary>
    ScopeEnd,
}

/// <summary>
/// One span-keyed table for the normaliser's per-word questions: the UK spelling of a US one, and the word's
/// role in negation. One lookup per word, hashed with FNV-1a (the default string comparer's randomised Marvin
/// hash is slower and buys nothing for a fixed, trusted key set).
/// </summary>
/// <remarks>
/// US → UK folds: -or/-our, -ize/-ise, -yze/-yse, -er/-re, -ense/-ence, doubled l, and a few words. Deliberately
/// conservative: words whose US spelling is another UK word (tire, check, program, draft) are left alone.
/// </remarks>
internal static class WordLexicon
{
    private static readonly string[] NegatorWords =
    [
        "not", "no", "never", "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt",
        "shouldnt", "couldnt", "havent", "hasnt", "hadnt", "aint", "nothing", "nobody", "none", "neither", "nor", "nowhere",
        "without", "hardly", "barely", "noone", "nope", "nah",
    ];

    // Declared after NegatorWords: static fields initialise in text order.
    private static readonly Dictionary<string, (string? Uk, WordRole Role)> Words = Build();
    private static readonly Dictionary<string, (string? Uk, WordRole Role)>.AlternateLookup<ReadOnlySpan<char>> SpanLookup =
        Words.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Number of US → UK spelling folds (for documentation and tests).</summary>
    public static int SpellingCount => Words.Count(w => w.Value.Uk is not null);

    /// <summary>The word's negation role; <paramref name="uk"/> is its UK spelling when it is a folded US one, else null.</summary>
    public static WordRole Lookup(ReadOnlySpan<char> word, out string? uk)
    {
        if (SpanLookup.TryGetValue(word, out var entry))
        {
            uk = entry.Uk;
            return entry.Role;
        }

        uk = null;
        // don't, can't, won't, isn't ...
        return word.Length > 3 && word.EndsWith("n't", StringComparison.Ordinal) ? WordRole.Negator : WordRole.None;
    }

    private static Dictionary<string, (string?, WordRole)> Build()
    {
        var words = new Dictionary<string, (string?, WordRole)>(FnvComparer.Instance);
        foreach (var (us, uk) in BuildSpellings())
        {
            words[us] = (uk, WordRole.None);
        }

        foreach (var negator in NegatorWords)
        {
            words[negator] = (null, WordRole.Negator);
        }

        words["but"] = (null, WordRole.ScopeEnd);
        return words;
    }

    private static Dictionary<string, string> BuildSpellings()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string us, string uk) => map.TryAdd(us, uk);

        // color → colour, favorite → favourite, neighbors → neighbours
        string[] our = ["col", "fav", "hon", "lab", "neighb", "behavi", "hum", "rum", "flav", "harb", "od", "vap", "sav", "arm",
            "endeav", "val", "vig", "parl", "tum", "rig", "cand", "clam", "splend", "saviour"];
        foreach (var stem in our)
        {
            if (stem == "saviour")
            {
                Add("savior", "saviour");
                continue;
            }

            foreach (var suffix in (string[])["", "s", "ed", "ing", "ful", "less", "ite", "ites", "able", "ably", "hood", "er", "ers"])
            {
                Add(stem + "or" + suffix, stem + "our" + suffix);
            }
        }

        // organize → organise, organization → organisation
        string[] ise = ["organ", "real", "recogn", "apolog", "priorit", "critic", "emphas", "minim", "maxim", "optim", "special",
            "categor", "summar", "author", "util", "civil", "familiar", "final", "modern", "normal", "sympath", "visual", "capital",
            "central", "standard", "memor", "local", "global", "personal", "custom", "general", "hospital", "legal", "mobil",
            "neutral", "penal", "stabil", "symbol", "vandal", "character", "item", "jeopard", "patron", "agon", "harmon", "ideal",
            "immun", "industrial", "initial", "moral", "natural", "polar", "popular", "public", "rational", "revolution", "scrutin",
            "sensit", "social", "steril", "subsid", "terror", "trivial", "urban", "vocal", "equal", "fertil", "human", "digit",
            "synchron", "energ", "fantas", "monopol", "notar", "ostrac", "pulver", "sanit", "satir", "colon", "computer", "motor",
            "legit", "material", "commercial", "decentral", "demonet", "desens", "hospital", "internal", "mechan", "militar",
            "national", "privat", "regular", "tantal", "theor", "winter", "weather", "random"];
        foreach (var stem in ise)
        {
            foreach (var (us, uk) in (ReadOnlySpan<(string, string)>)[("ize", "ise"), ("izes", "ises"), ("ized", "ised"), ("izing", "ising"),
                         ("ization", "isation"), ("izations", "isations"), ("izer", "iser"), ("izers", "isers")])
            {
                Add(stem + us, stem + uk);
            }
        }

        // analyze → analyse
        foreach (var stem in (string[])["anal", "paral", "catal", "dial", "electrol", "hydrol"])
        {
            foreach (var (us, uk) in (ReadOnlySpan<(string, string)>)[("yze", "yse"), ("yzes", "yses"), ("yzed", "ysed"), ("yzing", "ysing"), ("yzer", "yser")])
            {
                Add(stem + us, stem + uk);
            }
        }

        // center → centre
        foreach (var stem in (string[])["cent", "theat", "lit", "fib", "calib", "somb", "spect", "meag", "lust", "sab", "scept", "kilomet",
                     "centimet", "millimet", "manoeuv", "sepulch", "ochr", "goit", "lustr"])
        {
            Add(stem + "er", stem + "re");
            Add(stem + "ers", stem + "res");
        }

        Add("centered", "centred");
        Add("centering", "centring");

        // defense → defence
        foreach (var stem in (string[])["defen", "offen", "licen", "preten"])
        {
            Add(stem + "se", stem + "ce");
            Add(stem + "ses", stem + "ces");
        }

        // traveled → travelled
        foreach (var stem in (string[])["travel", "cancel", "label", "model", "fuel", "signal", "level", "channel", "counsel", "dial",
                     "duel", "equal", "funnel", "jewel", "libel", "marshal", "panel", "pedal", "quarrel", "shovel", "snorkel", "tunnel",
                     "total", "vial", "yodel", "initial", "rival", "barrel", "bevel", "chisel", "enamel", "gravel", "grovel", "marvel",
                     "rebel", "refuel", "revel", "swivel", "tinsel", "towel", "trammel", "cudgel", "dishevel", "fulfil"])
        {
            foreach (var suffix in (string[])["ed", "ing", "er", "ers"])
            {
                Add(stem + suffix, stem + "l" + suffix);
            }
        }

        (string Us, string Uk)[] words =
        [
            ("gray", "grey"), ("grays", "greys"), ("curb", "kerb"), ("curbs", "kerbs"), ("mom", "mum"), ("moms", "mums"),
            ("aluminum", "aluminium"), ("pajamas", "pyjamas"), ("plow", "plough"), ("plows", "ploughs"), ("maneuver", "manoeuvre"),
            ("maneuvers", "manoeuvres"), ("airplane", "aeroplane"), ("airplanes", "aeroplanes"), ("aging", "ageing"),
            ("judgment", "judgement"), ("judgments", "judgements"), ("inquiry", "enquiry"), ("inquiries", "enquiries"),
            ("catalog", "catalogue"), ("catalogs", "catalogues"), ("dialog", "dialogue"), ("analog", "analogue"), ("mold", "mould"),
            ("moldy", "mouldy"), ("smolder", "smoulder"), ("donut", "doughnut"), ("donuts", "doughnuts"), ("cozy", "cosy"),
            ("artifact", "artefact"), ("sulfur", "sulphur"), ("jewelry", "jewellery"), ("skillful", "skilful"), ("fulfill", "fulfil"),
            ("enroll", "enrol"), ("enrollment", "enrolment"), ("installment", "instalment"), ("esthetic", "aesthetic"),
            ("anesthetic", "anaesthetic"), ("pediatric", "paediatric"), ("encyclopedia", "encyclopaedia"), ("hemorrhage", "haemorrhage"),
            ("diarrhea", "diarrhoea"), ("estrogen", "oestrogen"), ("fetus", "foetus"), ("maneuvering", "manoeuvring"),
            ("tidbit", "titbit"), ("pudgy", "podgy"),
            ("omelet", "omelette"), ("checkered", "chequered"), ("practicing", "practising"), ("practiced", "practised"),
            ("neighborhood", "neighbourhood"), ("neighborhoods", "neighbourhoods"), ("favorites", "favourites"),
            ("yogurt", "yoghurt"), ("ameba", "amoeba"), ("mustache", "moustache"), ("skeptic", "sceptic"), ("skeptical", "sceptical"), ("woolen", "woollen"), ("carburetor", "carburettor"),
        ];
        foreach (var (us, uk) in words)
        {
            Add(us, uk);
        }

        return map;
    }

    private sealed class FnvComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
    {
        public static readonly FnvComparer Instance = new();

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode([DisallowNull] string obj) => (int)StableHash.Hash(obj, 0);

        public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<char> alternate) => (int)StableHash.Hash(alternate, 0);

        public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();
    }
}
