using System.Globalization;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Features.Demo;

namespace CivicDesk.Benchmarks;

/// <summary>
/// Writes the texts of the triage equivalence fixture (tests/CivicDesk.Triage.Tests/Fixtures/triage-equivalence.texts.jsonl):
/// the shipped demo corpus (templates written for CivicDesk, no dataset text) with its geotags, and messages composed
/// with a fixed seed from our own fragments that reach the rule paths the corpus rarely does (guards, negators,
/// companions out of reach, postcodes, Unicode folding, service rules). No FixMyStreet or X text: the fixture is
/// committed. The expected outputs beside it are written by the test itself from the code of the day
/// (CIVICDESK_WRITE_TRIAGE_FIXTURE=1), so a later change to triage must reproduce them exactly.
/// Usage: triage-fixture-texts [--out FILE] [--corpus N] [--composed N]
/// </summary>
public static class TriageFixtureTexts
{
    private static readonly string[] Fragments =
    [
        "There is a strong smell of gas outside number 4", "my gas bill has gone up again", "no smell of gas now thankfully",
        "the gas station on the corner", "gas is leaking from the meter", "can smell gas near the school",
        "water coming into the house through the front door", "flood warning for the river", "the kitchen flooded last night",
        "burst water main in the road", "no water since this morning", "sewage leaking into the garden", "water leak in the library",
        "power cut across the estate", "power line maintenance notice", "the electricity went off at 6", "no power for hours",
        "live wire hanging from the lamp post", "cable tie on the fence", "exposed cables by the bus stop", "barbed wire fence",
        "a child alone in a car", "the children are not at risk", "kids playing in the park", "little boy missing near the river",
        "fire in the bin store", "fire station open day", "the fire alarm test is at noon", "smoke pouring from the roof",
        "tree fallen across the road blocking it", "branch came down and is blocking the path", "tree down, not blocking anything",
        "someone injured on the crossing", "nobody injured thankfully", "an ambulance has been called", "hit by a car",
        "there has been a car crash at the junction", "serious accident on the bypass", "sinkhole opened up in the car park",
        "the wall is about to collapse", "asbestos sheets dumped in the lane", "used needles in the play area",
        "the road is dangerous", "not dangerous at all", "danger money", "death trap of a junction", "threatened by a neighbour",
        "glue gun left on the bench", "he had a knife", "feeling suicidal", "pothole on Dog Lane", "huge pothole outside 12 Church Road",
        "street light not working on Mill Lane", "lamp out at GL51", "near GL50 1PQ", "at gl501pq", "postcode SW1A 1AA",
        "by the CO2 monitor", "on the A40 near Bath Rd", "outside no 4 High St", "on the road", "in the car park",
        "junction of Station Road and Park Road", "opposite St. James Street", "along the newly resurfaced road",
        "Thank you so much for fixing it", "thanks!!", "well done to the parks team", "brilliant job by the crew",
        "is it true the library is closing?", "What time does the recycling centre open?", "Why has nobody come?",
        "When will the bins be collected?", "please can you empty the bins", "could someone come and look", "I would like to report",
        "this is a disgrace", "absolutely useless council", "not good enough", "really not happy", "not bad actually",
        "I heard they are closing the pool", "apparently the bridge is shut", "rumour has it", "my train was cancelled",
        "broadband down again", "smart meter not working", "royal mail lost my parcel", "energy bill doubled",
        "fly-tipping behind the shops", "graffiti on the underpass", "overflowing litter bin", "dog fouling everywhere",
        "abandoned car for weeks", "parking on the pavement", "roadworks with no workers", "overgrown hedge blocking the pavement",
        "the bins were not collected again this week", "third time this month", "@demoborough", "#potholes #bins",
        "https://example.org/photo/123", "😡😡", "🙏", "lol", "!!!", "...", "Ｆｉｒｅ in the bin store", "𝐆𝐚𝐬 𝐥𝐞𝐚𝐤",
        "don’t ignore this", "it’s dangerous — really", "ﬁre", "caf\u0065\u0301 on Church Street", "soft\u00ADhyphen", "zero\u200Bwidth",
        "NO WATER AT ALL", "Smell Of Gas", "FIRE FIRE FIRE", "12345", "GL50", "GL50 1PQ and SW1A 1AA", "road", "street",
    ];

    private static readonly string[] Joins = [" ", ". ", ", ", "! ", "? ", "\n", " and ", " - ", "; ", "... "];

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var output = Value(args, "--out") ?? Path.Combine("tests", "CivicDesk.Triage.Tests", "Fixtures", "triage-equivalence.texts.jsonl");
        var corpusCount = int.Parse(Value(args, "--corpus") ?? "3000", CultureInfo.InvariantCulture);
        var composedCount = int.Parse(Value(args, "--composed") ?? "3000", CultureInfo.InvariantCulture);

        var rows = new List<(string Text, double? Lat, double? Lon)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // A fixed "now" so the corpus is the same on every run (its texts do not depend on the date, only the order).
        foreach (var post in DemoCorpus.Generate(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), corpusCount))
        {
            if (seen.Add(post.Post.Text))
            {
                rows.Add((post.Post.Text, post.Post.Latitude, post.Post.Longitude));
            }
        }

        var random = new Random(20_261_205);
        var sb = new StringBuilder();
        for (var i = 0; i < composedCount; i++)
        {
            sb.Clear();
            var parts = 1 + random.Next(4);
            for (var p = 0; p < parts; p++)
            {
                if (p > 0)
                {
                    sb.Append(Joins[random.Next(Joins.Length)]);
                }

                sb.Append(Fragments[random.Next(Fragments.Length)]);
            }

            var text = sb.ToString();
            // A few with a geotag, some out of range (ignored), so the place's coordinates and the geotag path are covered.
            var (lat, lon) = random.Next(10) switch
            {
                0 => (51.9 + (random.NextDouble() / 100), -2.07 - (random.NextDouble() / 100)),
                1 => (123.0, 5.0),
                _ => ((double?)null, (double?)null),
            };
            if (seen.Add(text + "|" + lat))
            {
                rows.Add((text, lat, lon));
            }
        }

        foreach (var fragment in Fragments)
        {
            if (seen.Add(fragment))
            {
                rows.Add((fragment, null, null));
            }
        }

        rows.Add(("", null, null));
        rows.Add(("", 51.9, -2.07));
        rows.Add((new string('a', 25_000) + " smell of gas", null, null));

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        using var writer = new StreamWriter(output, false, new UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var (text, lat, lon) in rows)
        {
            writer.WriteLine(JsonSerializer.Serialize(new FixtureText(text, lat, lon)));
        }

        Console.WriteLine($"{rows.Count} texts written to {output}");
        return 0;
    }

    private sealed record FixtureText(string Text, double? Lat, double? Lon);

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
