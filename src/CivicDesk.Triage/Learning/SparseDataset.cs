namespace CivicDesk.Triage.Learning;

/// <summary>
/// Labelled examples featurised once into compressed sparse rows, so a training run (or a whole settings search
/// with the same <see cref="FeatureSettings"/>) never re-tokenises. Columns: the hash buckets, then the dense
/// features. Word-block and character-block values are each scaled to unit length (1/√count).
/// </summary>
public sealed class SparseDataset
{
    private SparseDataset(FeatureSettings settings, int[] rowStart, int[] columns, float[] values, int[] labels)
    {
        Settings = settings;
        RowStart = rowStart;
        Columns = columns;
        Values = values;
        LabelArray = labels;
    }

    /// <summary>The feature settings used.</summary>
    public FeatureSettings Settings { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => LabelArray.Length;

    /// <summary>Number of columns (buckets plus dense features).</summary>
    public int ColumnCount => Settings.Buckets + FeatureSettings.DenseCount;

    internal int[] RowStart { get; }

    internal int[] Columns { get; }

    internal float[] Values { get; }

    /// <summary>Gold label index per row.</summary>
    public IReadOnlyList<int> Labels => LabelArray;

    internal int[] LabelArray { get; }

    /// <summary>Featurises texts.</summary>
    /// <param name="settings">Feature settings.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="labels">Gold label index per text.</param>
    /// <returns>The dataset.</returns>
    public static SparseDataset Build(FeatureSettings settings, IReadOnlyList<string> texts, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        if (texts.Count != labels.Count)
        {
            throw new ArgumentException("One label per text is needed.", nameof(labels));
        }

        var extractor = new FeatureExtractor(settings);
        var features = new HashedFeatures();
        var rowStart = new int[texts.Count + 1];
        var columns = new List<int>(texts.Count * 200);
        var values = new List<float>(texts.Count * 200);
        var bits = settings.BucketBits;
        for (var i = 0; i < texts.Count; i++)
        {
            extractor.Extract(texts[i], features);
            var wordScale = 1f / MathF.Sqrt(Math.Max(1, features.WordCount));
            foreach (var h in features.WordHashes)
            {
                columns.Add(FeatureExtractor.Bucket(h, bits));
                values.Add(FeatureExtractor.Sign(h) * wordScale);
            }

            var charScale = 1f / MathF.Sqrt(Math.Max(1, features.CharCount));
            foreach (var h in features.CharHashes)
            {
                columns.Add(FeatureExtractor.Bucket(h, bits));
                values.Add(FeatureExtractor.Sign(h) * charScale);
            }

            for (var d = 0; d < FeatureSettings.DenseCount; d++)
            {
                if (features.Dense[d] != 0)
                {
                    columns.Add(settings.Buckets + d);
                    values.Add(features.Dense[d]);
                }
            }

            rowStart[i + 1] = columns.Count;
        }

        return new SparseDataset(settings, rowStart, [.. columns], [.. values], [.. labels]);
    }
}
