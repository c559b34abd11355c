using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage.Tests.Learning;

public sealed class FeatureHashingTests
{
    private static readonly FeatureSettings Defaults = new();

    // Pinned values, computed by an independent Python implementation of seeded FNV-1a + murmur3 fmix32:
    // a change here means every trained model silently loses its features.
    [Fact]
    public void Stable_hash_matches_pinned_values()
    {
        StableHash.Hash("pothole", 0).ShouldBe(1868381175u);
        StableHash.Hash("", 0).ShouldBe(91794203u);
    }

    [Theory]
    [InlineData("pothole", 5945, -1f)]
    [InlineData("good_NEG", 233014, -1f)]
    [InlineData("<url>", 125002, -1f)]
    public void Word_features_land_in_pinned_buckets(string token, int bucket, float sign)
    {
        var h = new FeatureExtractor(Defaults).WordHash(token);
        FeatureExtractor.Bucket(h, Defaults.BucketBits).ShouldBe(bucket);
        FeatureExtractor.Sign(h).ShouldBe(sign);
    }

    [Fact]
    public void Char_grams_land_in_pinned_buckets()
    {
        var h = new FeatureExtractor(Defaults).CharGramHash("<pot");
        FeatureExtractor.Bucket(h, Defaults.BucketBits).ShouldBe(168608);
        FeatureExtractor.Sign(h).ShouldBe(1f);
    }

    [Fact]
    public void Extracted_unigram_hash_is_the_pinned_word_hash()
    {
        var extractor = new FeatureExtractor(Defaults);
        var features = new HashedFeatures();
        extractor.Extract("POTHOLE", features);
        features.WordHashes[0].ShouldBe(extractor.WordHash("pothole"));
    }

    [Fact]
    public void Same_text_gives_same_features_across_extractors()
    {
        const string Text = "@council Huge pothole on Dog Lane, not fixed!! 😡 #roads";
        var a = new HashedFeatures();
        var b = new HashedFeatures();
        new FeatureExtractor(Defaults).Extract(Text, a);
        new FeatureExtractor(Defaults).Extract(Text, b);
        a.WordHashes.ToArray().ShouldBe(b.WordHashes.ToArray());
        a.CharHashes.ToArray().ShouldBe(b.CharHashes.ToArray());
        a.Dense.ToArray().ShouldBe(b.Dense.ToArray());
    }

    [Fact]
    public void Another_seed_gives_other_buckets()
    {
        var a = new FeatureExtractor(Defaults).WordHash("pothole");
        var b = new FeatureExtractor(Defaults with { Seed = 2 }).WordHash("pothole");
        a.ShouldNotBe(b);
    }

    [Fact]
    public void Counts_of_unigrams_bigrams_and_char_grams_follow_the_settings()
    {
        var features = new HashedFeatures { RecordNames = true };
        new FeatureExtractor(Defaults).Extract("abc de", features);
        // unigrams abc, de + bigram "abc de"
        features.WordNames.ShouldBe(["abc", "abc de", "de"], ignoreOrder: true);
        // "<abc>": 4 bigrams + 3 trigrams + 2 four-grams + 1 five-gram; "<de>": 3 + 2 + 1
        features.CharCount.ShouldBe(16);
        features.CharNames.ShouldContain("<abc>");
        features.CharNames.ShouldContain("de>");

        var wordsOnly = new HashedFeatures();
        new FeatureExtractor(Defaults with { WordNgramMax = 1, CharNgramMin = 0, CharNgramMax = 0 }).Extract("abc de", wordsOnly);
        wordsOnly.WordCount.ShouldBe(2);
        wordsOnly.CharCount.ShouldBe(0);
    }

    [Fact]
    public void Negated_words_and_shouting_become_their_own_features()
    {
        var features = new HashedFeatures { RecordNames = true };
        new FeatureExtractor(Defaults).Extract("NOT good", features);
        features.WordNames.ShouldBe(["not", "<shout>", "good_NEG", "not good_NEG"], ignoreOrder: true);
        features.CharNames.ShouldContain("good>");
    }

    [Fact]
    public void Dense_features_measure_length_punctuation_and_capitals()
    {
        var features = new HashedFeatures();
        new FeatureExtractor(Defaults).Extract("WHY?? now!", features);
        features.Dense[0].ShouldBe(MathF.Log2(11) / 10f, 1e-6f);
        features.Dense[1].ShouldBe(0.2f);
        features.Dense[2].ShouldBe(0.4f);
        features.Dense[3].ShouldBe(0.5f);
    }

    [Fact]
    public void Extraction_allocates_nothing_after_warm_up()
    {
        var extractor = new FeatureExtractor(Defaults);
        var features = new HashedFeatures();
        const string Text = "The street light outside no. 12 Dog Lane has been OUT for weeks!!! not acceptable :( #dark";
        extractor.Extract(Text, features);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            extractor.Extract(Text, features);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
