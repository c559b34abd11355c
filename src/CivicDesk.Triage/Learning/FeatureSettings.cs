namespace CivicDesk.Triage.Learning;

/// <summary>
/// How a text becomes hashed features. Stored in every model file: a model must be fed exactly the features it
/// was trained on. Models with equal settings share one pass of feature extraction in a <see cref="ModelSet"/>.
/// </summary>
/// <param name="Seed">Hash seed.</param>
/// <param name="BucketBits">log2 of the number of hash buckets (2^BucketBits rows of weights).</param>
/// <param name="WordNgramMax">Longest word n-gram (1 = unigrams only, 2 = also bigrams, 3 = also trigrams).</param>
/// <param name="CharNgramMin">Shortest character n-gram inside a word (0 turns character n-grams off).</param>
/// <param name="CharNgramMax">Longest character n-gram inside a word.</param>
public sealed record FeatureSettings(int Seed = 1, int BucketBits = 18, int WordNgramMax = 2, int CharNgramMin = 2, int CharNgramMax = 5)
{
    /// <summary>Number of dense features appended after the buckets: length, exclamations, questions, capitals ratio.</summary>
    public const int DenseCount = 4;

    /// <summary>Names of the dense features, in order.</summary>
    public static readonly IReadOnlyList<string> DenseNames = ["len", "exclaim", "question", "caps_ratio"];

    /// <summary>Number of hash buckets.</summary>
    public int Buckets => 1 << BucketBits;

    /// <summary>True when character n-grams are on.</summary>
    public bool UsesCharNgrams => CharNgramMin > 0 && CharNgramMax >= CharNgramMin;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BucketBits, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BucketBits, 24);
        ArgumentOutOfRangeException.ThrowIfLessThan(WordNgramMax, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(WordNgramMax, 3);
        ArgumentOutOfRangeException.ThrowIfNegative(CharNgramMin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CharNgramMax, 8);
        if (CharNgramMin is 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CharNgramMin), "Character n-grams start at 2 (or 0 for none).");
        }
    }

    /// <summary>Short human-readable form, e.g. <c>b18 w1-2 c2-5</c>.</summary>
    /// <returns>The description.</returns>
    public string Describe() => $"b{BucketBits} w1-{WordNgramMax} " + (UsesCharNgrams ? $"c{CharNgramMin}-{CharNgramMax}" : "c-off") + $" s{Seed}";
}
