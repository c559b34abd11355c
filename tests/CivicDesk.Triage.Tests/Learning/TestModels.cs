using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage.Tests.Learning;

/// <summary>Small synthetic datasets and models trained on them in well under a second.</summary>
internal static class TestModels
{
    public static readonly FeatureSettings SmallFeatures = new(Seed: 3, BucketBits: 12);

    private static readonly string[] Filler = ["the", "on", "near", "again", "please", "today", "outside", "my", "house", "street", "council", "still"];

    /// <summary>Rows whose label is signalled by its key words among random filler, with a fixed seed.</summary>
    public static List<LabelledText> Rows(int count, int seed, params (string Label, string[] Words)[] classes)
    {
        var random = new Random(seed);
        var rows = new List<LabelledText>(count);
        for (var i = 0; i < count; i++)
        {
            var (label, words) = classes[i % classes.Length];
            var parts = new List<string>();
            for (var j = 0; j < 6; j++)
            {
                parts.Add(random.Next(3) == 0 ? words[random.Next(words.Length)] : Filler[random.Next(Filler.Length)]);
            }

            parts.Insert(random.Next(parts.Count), words[random.Next(words.Length)]);
            rows.Add(new LabelledText(i.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(' ', parts), label));
        }

        return rows;
    }

    public static readonly (string, string[])[] Services =
    [
        ("roads", ["pothole", "tarmac", "crater", "road"]),
        ("waste", ["bin", "rubbish", "collection", "recycling"]),
        ("lighting", ["light", "lamp", "dark", "bulb"]),
    ];

    public static readonly (string, string[])[] Moods =
    [
        ("happy", ["thanks", "great", "brilliant"]),
        ("cross", ["awful", "disgrace", "useless"]),
    ];

    public static LinearTriageModel Train(string task, (string, string[])[] classes, FeatureSettings? features = null) =>
        ModelTrainer.Train(task, Rows(300, 1, classes), Rows(60, 2, classes),
            new TrainingSettings { Features = features ?? SmallFeatures, MaxEpochs = 5, Patience = 2 }).Model;
}
