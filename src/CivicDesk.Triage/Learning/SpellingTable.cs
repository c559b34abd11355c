namespace CivicDesk.Triage.Learning;

/// <summary>
/// Folds US spellings to UK ones (the service's own conventions) so "color" and "colour" are one feature.
/// A small hand-made table: -or/-our, -ize/-ise, -yze/-yse, -er/-re, -ense/-ence, doubled l, and a few words.
/// Deliberately conservative: words whose US spelling is another UK word (tire, check, program) are left alone.
/// </summary>
internal static class SpellingTable
{
    private static readonly Dictionary<string, string> UsToUk = Build();
    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup = UsToUk.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Number of entries (for documentation and tests).</summary>
    public static int Count => UsToUk.Count;

    public static bool TryGetUk(ReadOnlySpan<char> word, out string uk)
    {
        if (word.Length < 4)
        {
            uk = "";
            return false;
        }

        return Lookup.TryGetValue(word, out uk!);
    }

    private static Dictionary<string, string> Build()
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
}
