using System.Runtime.CompilerServices;

namespace CivicDesk.Triage.Learning;

/// <summary>
/// Reusable output of <see cref="FeatureExtractor"/> for one message: hashed word features (unigrams, n-grams and
/// flags such as &lt;shout&gt;), hashed character n-grams, and the dense features. Grows to the largest message
/// seen and then allocates nothing. Keep one per thread; not thread-safe.
/// </summary>
public sealed class HashedFeatures
{
    private uint[] _word = new uint[256];
    private uint[] _char = new uint[1024];
    private readonly float[] _dense = new float[FeatureSettings.DenseCount];

    /// <summary>The tokens of the last message.</summary>
    public TokenBuffer Tokens { get; } = new();

    /// <summary>Word-block feature hashes of the last message.</summary>
    public ReadOnlySpan<uint> WordHashes => _word.AsSpan(0, WordCount);

    /// <summary>Character-block feature hashes of the last message.</summary>
    public ReadOnlySpan<uint> CharHashes => _char.AsSpan(0, CharCount);

    /// <summary>Dense feature values of the last message (see <see cref="FeatureSettings.DenseNames"/>).</summary>
    public ReadOnlySpan<float> Dense => _dense;

    /// <summary>Number of word-block features.</summary>
    public int WordCount { get; private set; }

    /// <summary>Number of character-block features.</summary>
    public int CharCount { get; private set; }

    /// <summary>
    /// When set, the readable text of every feature is recorded in <see cref="WordNames"/> and <see cref="CharNames"/>
    /// (allocates: the explanation path only).
    /// </summary>
    public bool RecordNames { get; init; }

    /// <summary>
    /// With <see cref="RecordNames"/>: also name the character n-grams (most of the features and of the cost). The
    /// pipeline's explanations leave them out and show words, phrases and flags, which staff can read.
    /// </summary>
    public bool RecordCharNames { get; init; } = true;

    /// <summary>Readable word features, parallel to <see cref="WordHashes"/>, when <see cref="RecordNames"/> is set.</summary>
    public List<string> WordNames { get; } = [];

    /// <summary>Readable character n-grams, parallel to <see cref="CharHashes"/>, when <see cref="RecordNames"/> is set.</summary>
    public List<string> CharNames { get; } = [];

    internal float[] DenseArray => _dense;

    internal void Clear()
    {
        WordCount = 0;
        CharCount = 0;
        Array.Clear(_dense);
        WordNames.Clear();
        CharNames.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AddWord(uint hash)
    {
        if (WordCount == _word.Length)
        {
            Array.Resize(ref _word, _word.Length * 2);
        }

        _word[WordCount++] = hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AddChar(uint hash)
    {
        if (CharCount == _char.Length)
        {
            Array.Resize(ref _char, _char.Length * 2);
        }

        _char[CharCount++] = hash;
    }
}

/// <summary>
/// Feature hashing for the learned classifiers (Weinberger et al. 2009): word 1..n-grams and in-word character
/// n-grams are hashed with <see cref="StableHash"/> into 2^b buckets; the top bit of the hash gives the feature a
/// sign so that collisions cancel out on average instead of piling up. Thread-safe; the output buffer is not.
/// </summary>
public sealed class FeatureExtractor
{
    private readonly uint _wordSeed;
    private readonly uint _charSeed;
    private readonly uint _bigramSalt;
    private readonly uint _trigramSalt;
    private readonly uint _shoutHash;
    private readonly uint _elongHash;

    /// <summary>Creates an extractor for the given settings.</summary>
    /// <param name="settings">The settings.</param>
    public FeatureExtractor(FeatureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        var seed = (uint)settings.Seed;
        _wordSeed = StableHash.Finish(seed ^ 0x776F7264);
        _charSeed = StableHash.Finish(seed ^ 0x63686172);
        _bigramSalt = StableHash.Finish(seed ^ 0x62696772);
        _trigramSalt = StableHash.Finish(seed ^ 0x74726967);
        _shoutHash = StableHash.Hash("<shout>", _wordSeed);
        _elongHash = StableHash.Hash("<elong>", _wordSeed);
    }

    /// <summary>The settings.</summary>
    public FeatureSettings Settings { get; }

    /// <summary>The bucket of a feature hash: its low bits.</summary>
    /// <param name="hash">A feature hash.</param>
    /// <param name="bucketBits">log2 of the bucket count.</param>
    /// <returns>The bucket index.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Bucket(uint hash, int bucketBits) => (int)(hash & ((1u << bucketBits) - 1));

    /// <summary>The sign of a feature hash: its top bit (independent of the bucket bits, which stop at 24).</summary>
    /// <param name="hash">A feature hash.</param>
    /// <returns>-1 or +1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(uint hash) => (int)hash < 0 ? -1f : 1f;

    /// <summary>The hash of a word unigram, as <see cref="Extract"/> computes it (for tests and tools).</summary>
    /// <param name="token">Normalised token text, with <c>_NEG</c> when negated.</param>
    /// <returns>The feature hash.</returns>
    public uint WordHash(ReadOnlySpan<char> token) => StableHash.Hash(token, _wordSeed);

    /// <summary>The hash of one character n-gram (including the &lt; and &gt; word boundary marks).</summary>
    /// <param name="gram">The n-gram, e.g. <c>&lt;pot</c>.</param>
    /// <returns>The feature hash.</returns>
    public uint CharGramHash(ReadOnlySpan<char> gram) => StableHash.Hash(gram, _charSeed);

    /// <summary>Normalises <paramref name="text"/> and fills <paramref name="into"/> with its features.</summary>
    /// <param name="text">The message.</param>
    /// <param name="into">The reusable output buffer.</param>
    public void Extract(ReadOnlySpan<char> text, HashedFeatures into) => ExtractCore(text, into, Settings.UsesCharNgrams);

    /// <summary>Like <see cref="Extract"/> but without character n-grams (the caller adds them per word, e.g. from a cache).</summary>
    internal void ExtractWordBlock(ReadOnlySpan<char> text, HashedFeatures into) => ExtractCore(text, into, chars: false);

    /// <summary>Most character n-grams one token can give: (length + 2 boundary marks) × n-gram sizes.</summary>
    internal const int MaxCharGramsPerToken = (SocialTextNormaliser.MaxTokenLength + 2) * 7;

    private void ExtractCore(ReadOnlySpan<char> text, HashedFeatures into, bool chars)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        var tokens = into.Tokens;
        SocialTextNormaliser.Normalise(text, tokens);
        var names = into.RecordNames;
        var maxN = Settings.WordNgramMax;
        uint previous = 0, beforePrevious = 0;
        string? name = null, previousName = null, beforePreviousName = null;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var tokenText = tokens.TextOf(token);
            var state = StableHash.Append(StableHash.Start(_wordSeed), tokenText);
            var negated = (token.Flags & SocialTokenFlags.Negated) != 0;
            if (negated)
            {
                state = StableHash.Append(state, SocialTextNormaliser.NegationSuffix);
            }

            var unigram = StableHash.Finish(state);
            into.AddWord(unigram);
            if (names)
            {
                name = negated ? string.Concat(tokenText, SocialTextNormaliser.NegationSuffix) : tokenText.ToString();
                into.WordNames.Add(name);
            }

            if (maxN >= 2 && i >= 1)
            {
                into.AddWord(StableHash.Finish(StableHash.Combine(StableHash.Combine(_bigramSalt, previous), unigram)));
                if (names)
                {
                    into.WordNames.Add(previousName + " " + name);
                }

                if (maxN >= 3 && i >= 2)
                {
                    into.AddWord(StableHash.Finish(StableHash.Combine(StableHash.Combine(StableHash.Combine(_trigramSalt, beforePrevious), previous), unigram)));
                    if (names)
                    {
                        into.WordNames.Add(beforePreviousName + " " + previousName + " " + name);
                    }
                }
            }

            beforePrevious = previous;
            previous = unigram;
            beforePreviousName = previousName;
            previousName = name;
            if ((token.Flags & SocialTokenFlags.Shouted) != 0)
            {
                into.AddWord(_shoutHash);
                if (names)
                {
                    into.WordNames.Add("<shout>");
                }
            }

            if ((token.Flags & SocialTokenFlags.Elongated) != 0)
            {
                into.AddWord(_elongHash);
                if (names)
                {
                    into.WordNames.Add("<elong>");
                }
            }

            if (chars && token.Kind is SocialTokenKind.Word or SocialTokenKind.Hashtag)
            {
                AddCharGrams(CharGramSource(token, tokenText), into, names);
            }
        }

        var dense = into.DenseArray;
        dense[0] = MathF.Log2(1 + tokens.SourceLength) / 10f;
        dense[1] = Math.Min(tokens.Exclamations, 5) / 5f;
        dense[2] = Math.Min(tokens.Questions, 5) / 5f;
        dense[3] = tokens.Letters == 0 ? 0 : tokens.UpperLetters / (float)tokens.Letters;
    }

    /// <summary>The text a token's character n-grams come from: the word, or a hashtag without its #.</summary>
    internal static ReadOnlySpan<char> CharGramSource(in SocialToken token, ReadOnlySpan<char> tokenText) =>
        token.Kind == SocialTokenKind.Hashtag ? tokenText[1..] : tokenText;

    /// <summary>Writes the character n-gram hashes of one word (padded with &lt; and &gt;) and returns how many.</summary>
    internal int CharGramHashes(ReadOnlySpan<char> word, Span<uint> destination)
    {
        var min = Settings.CharNgramMin;
        var max = Settings.CharNgramMax;
        var padded = word.Length + 2;
        var count = 0;
        for (var p0 = 0; p0 < padded - 1; p0++)
        {
            var h = StableHash.Start(_charSeed);
            var end = Math.Min(padded, p0 + max);
            for (var p = p0; p < end; p++)
            {
                var c = p == 0 ? '<' : p == padded - 1 ? '>' : word[p - 1];
                h = StableHash.Append(h, c);
                if (p - p0 + 1 >= min)
                {
                    destination[count++] = StableHash.Finish(h);
                }
            }
        }

        return count;
    }

    private void AddCharGrams(ReadOnlySpan<char> word, HashedFeatures into, bool names)
    {
        Span<uint> grams = stackalloc uint[MaxCharGramsPerToken];
        var count = CharGramHashes(word, grams);
        foreach (var h in grams[..count])
        {
            into.AddChar(h);
        }

        if (names && into.RecordCharNames)
        {
            var min = Settings.CharNgramMin;
            var max = Settings.CharNgramMax;
            var padded = word.Length + 2;
            for (var p0 = 0; p0 < padded - 1; p0++)
            {
                for (var p = p0 + min - 1; p < Math.Min(padded, p0 + max); p++)
                {
                    into.CharNames.Add(PaddedSlice(word, p0, p - p0 + 1));
                }
            }
        }
    }

    private static string PaddedSlice(ReadOnlySpan<char> word, int start, int length)
    {
        Span<char> buffer = stackalloc char[length];
        for (var k = 0; k < length; k++)
        {
            var p = start + k;
            buffer[k] = p == 0 ? '<' : p == word.Length + 1 ? '>' : word[p - 1];
        }

        return buffer.ToString();
    }
}
