using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CivicDesk.Triage.Learning;

/// <summary>
/// The inference hot path for one or more models with the same <see cref="FeatureSettings"/>: one extraction, and
/// their int8 weights interleaved into one row per bucket (padded to a multiple of 8 columns, rows aligned to 32
/// bytes so a row never straddles two cache lines), summed with AVX2 where available. Character n-grams are summed
/// per word through a per-thread <see cref="WordCache"/>. Integer sums make every path give the same result.
/// </summary>
internal sealed class FusedScorer
{
    private readonly sbyte[] _table;
    private readonly int _tableStart;
    private readonly int _stride;
    private readonly uint _mask;
    private readonly (LinearTriageModel Model, int Offset)[] _members;
    private readonly float[] _scales;

    /// <param name="settings">The members' shared feature settings.</param>
    /// <param name="members">Each model and where its logits go in the output.</param>
    public FusedScorer(FeatureSettings settings, (LinearTriageModel Model, int Offset)[] members)
    {
        Extractor = new FeatureExtractor(settings);
        _members = members;
        _mask = (uint)settings.Buckets - 1;
        var width = members.Sum(m => m.Model.Labels.Count);
        _stride = (width + 7) & ~7;
        _scales = new float[_stride];
        // Pinned (the pinned heap never moves it) so the rows can start on a 64-byte boundary; 64 spare bytes for
        // that, and 16 more because the vector path reads 16 bytes at each 8-byte step of the last row.
        _table = GC.AllocateArray<sbyte>((settings.Buckets * _stride) + 64 + 16, pinned: true);
        var handle = GCHandle.Alloc(_table, GCHandleType.Pinned);
        var address = handle.AddrOfPinnedObject();
        handle.Free();
        _tableStart = (int)((64 - (address % 64)) % 64);
        var column = 0;
        foreach (var (m, _) in members)
        {
            var k = m.Labels.Count;
            var source = m.Table;
            for (var b = 0; b < settings.Buckets; b++)
            {
                source.Slice(b * k, k).CopyTo(_table.AsSpan(_tableStart + (b * _stride) + column, k));
            }

            m.Scales.CopyTo(_scales.AsSpan(column));
            column += k;
        }
    }

    public FeatureExtractor Extractor { get; }

    /// <summary>Extracts the features of <paramref name="text"/> and writes every member's raw logits at its offset.</summary>
    public void Score(ReadOnlySpan<char> text, HashedFeatures features, Span<float> logits)
    {
        Span<int> word = stackalloc int[_stride];
        Span<int> chars = stackalloc int[_stride];
        Extractor.ExtractWordBlock(text, features);
        Accumulate(features.WordHashes, word);
        var charCount = Extractor.Settings.UsesCharNgrams ? AccumulateCharGrams(features.Tokens, chars) : 0;
        var wordScale = 1f / MathF.Sqrt(Math.Max(1, features.WordCount));
        var charScale = 1f / MathF.Sqrt(Math.Max(1, charCount));
        var dense = features.Dense;
        var column = 0;
        foreach (var (m, offset) in _members)
        {
            var k = m.Labels.Count;
            var bias = m.Bias;
            var denseWeights = m.DenseWeights;
            var output = logits.Slice(offset, k);
            for (var c = 0; c < k; c++)
            {
                var z = bias[c] + (_scales[column + c] * ((word[column + c] * wordScale) + (chars[column + c] * charScale)));
                for (var d = 0; d < dense.Length; d++)
                {
                    z += dense[d] * denseWeights[(d * k) + c];
                }

                output[c] = z;
            }

            column += k;
        }
    }

    /// <summary>
    /// Sums the character n-gram weights of every word, word by word through this thread's <see cref="WordCache"/>:
    /// the same integer sums as adding every n-gram, but a word seen before costs one lookup instead of hashing
    /// and reading a dozen table rows. Returns the number of n-grams (for the block's 1/√count scale).
    /// </summary>
    private int AccumulateCharGrams(TokenBuffer tokens, Span<int> sums)
    {
        sums.Clear();
        var cache = WordCache.For(this, _stride);
        Span<uint> grams = stackalloc uint[FeatureExtractor.MaxCharGramsPerToken];
        var total = 0;
        for (var t = 0; t < tokens.Count; t++)
        {
            var token = tokens[t];
            if (token.Kind is not (SocialTokenKind.Word or SocialTokenKind.Hashtag))
            {
                continue;
            }

            var source = FeatureExtractor.CharGramSource(token, tokens.TextOf(token));
            if (!cache.TryGet(source, out var slot))
            {
                var count = Extractor.CharGramHashes(source, grams);
                Accumulate(grams[..count], cache.SumsOf(slot));
                cache.Store(slot, source, count);
            }

            total += cache.CountOf(slot);
            AddInPlace(sums, cache.SumsOf(slot));
        }

        return total;
    }

    private static void AddInPlace(Span<int> target, ReadOnlySpan<int> source)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var t = ref MemoryMarshal.GetReference(target);
            ref var s = ref MemoryMarshal.GetReference(source);
            for (; i + 8 <= target.Length; i += 8)
            {
                (Vector256.LoadUnsafe(ref t, (nuint)i) + Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref t, (nuint)i);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] += source[i];
        }
    }

    private void Accumulate(ReadOnlySpan<uint> hashes, Span<int> sums)
    {
        ref var table = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_table), _tableStart);
        if (Avx2.IsSupported)
        {
            if (_stride == 32)
            {
                Accumulate32(hashes, ref table, sums);
                return;
            }

            if (_stride == 8)
            {
                Accumulate8(hashes, ref table, sums);
                return;
            }

            AccumulateWide(hashes, ref table, sums);
            return;
        }

        sums.Clear();
        ref var sum = ref MemoryMarshal.GetReference(sums);
        foreach (var h in hashes)
        {
            var m = (int)h >> 31;
            ref var row = ref Unsafe.Add(ref table, (nint)((h & _mask) * (uint)_stride));
            for (var c = 0; c < _stride; c++)
            {
                Unsafe.Add(ref sum, c) += (Unsafe.Add(ref row, c) ^ m) - m;
            }
        }
    }

    /// <summary>The common case (four models, 30 labels padded to 32): four AVX2 accumulators kept in registers.</summary>
    private void Accumulate32(ReadOnlySpan<uint> hashes, ref sbyte table, Span<int> sums)
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        foreach (var h in hashes)
        {
            var m = Vector256.Create((int)h >> 31);
            ref var row = ref Unsafe.Add(ref table, (nint)((h & _mask) * 32u));
            a0 += (Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref row)) ^ m) - m;
            a1 += (Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref Unsafe.Add(ref row, 8))) ^ m) - m;
            a2 += (Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref Unsafe.Add(ref row, 16))) ^ m) - m;
            a3 += (Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref Unsafe.Add(ref row, 24))) ^ m) - m;
        }

        a0.CopyTo(sums);
        a1.CopyTo(sums[8..]);
        a2.CopyTo(sums[16..]);
        a3.CopyTo(sums[24..]);
    }

    /// <summary>One or two small models (up to 8 labels in all): one AVX2 accumulator.</summary>
    private void Accumulate8(ReadOnlySpan<uint> hashes, ref sbyte table, Span<int> sums)
    {
        Vector256<int> a0 = default;
        foreach (var h in hashes)
        {
            var m = Vector256.Create((int)h >> 31);
            ref var row = ref Unsafe.Add(ref table, (nint)((h & _mask) * 8u));
            a0 += (Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref row)) ^ m) - m;
        }

        a0.CopyTo(sums);
    }

    /// <summary>Any other multiple of 8 columns (e.g. 24 for one 17-label model): accumulators in memory.</summary>
    private void AccumulateWide(ReadOnlySpan<uint> hashes, ref sbyte table, Span<int> sums)
    {
        sums.Clear();
        ref var sum = ref MemoryMarshal.GetReference(sums);
        foreach (var h in hashes)
        {
            var m = Vector256.Create((int)h >> 31);
            ref var row = ref Unsafe.Add(ref table, (nint)((h & _mask) * (uint)_stride));
            for (var c = 0; c < _stride; c += 8)
            {
                var v = (Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref Unsafe.Add(ref row, c))) ^ m) - m;
                (Vector256.LoadUnsafe(ref sum, (nuint)c) + v).StoreUnsafe(ref sum, (nuint)c);
            }
        }
    }

}

/// <summary>
/// Per-thread, direct-mapped cache from a word to the summed int8 character n-gram weights of one group (all its
/// models' columns) and the number of n-grams. 2,048 entries (about 0.4 MB for 32 columns) stay in L2; words
/// follow Zipf's law, so most tokens of a post hit. A word is stored with its text, so a hit is exact.
/// </summary>
internal sealed class WordCache
{
    private const int Size = 2048;
    private const int MaxLength = SocialTextNormaliser.MaxTokenLength;

    [ThreadStatic]
    private static WordCache?[]? t_caches;

    [ThreadStatic]
    private static int t_nextVictim;

    private int[] _sums;
    private readonly int[] _counts = new int[Size];
    private readonly char[] _texts = new char[Size * MaxLength];
    private readonly byte[] _lengths = new byte[Size];
    private int _stride;
    private object _owner;

    private WordCache(object owner, int stride)
    {
        _owner = owner;
        _stride = stride;
        _sums = new int[Size * stride];
        Array.Fill(_counts, -1);
    }

    /// <summary>
    /// This thread's cache for a scorer. A thread keeps up to eight (a model set's groups plus single models);
    /// past that, the next slot in turn is emptied and reused, so even then nothing is allocated.
    /// </summary>
    public static WordCache For(object owner, int stride)
    {
        var caches = t_caches ??= new WordCache?[8];
        for (var i = 0; i < caches.Length; i++)
        {
            if (caches[i] is { } c && ReferenceEquals(c._owner, owner))
            {
                return c;
            }
        }

        for (var i = 0; i < caches.Length; i++)
        {
            if (caches[i] is null)
            {
                return caches[i] = new WordCache(owner, stride);
            }
        }

        var victim = caches[t_nextVictim];
        t_nextVictim = (t_nextVictim + 1) % caches.Length;
        victim!.Reset(owner, stride);
        return victim;
    }

    private void Reset(object owner, int stride)
    {
        _owner = owner;
        _stride = stride;
        if (_sums.Length < Size * stride)
        {
            _sums = new int[Size * stride];
        }

        Array.Fill(_counts, -1);
    }

    public bool TryGet(ReadOnlySpan<char> word, out int slot)
    {
        slot = (int)(StableHash.Hash(word, 0x5EED) & (Size - 1));
        return _counts[slot] >= 0 && _lengths[slot] == word.Length
               && word.SequenceEqual(_texts.AsSpan(slot * MaxLength, word.Length));
    }

    public Span<int> SumsOf(int slot) => _sums.AsSpan(slot * _stride, _stride);

    public int CountOf(int slot) => _counts[slot];

    public void Store(int slot, ReadOnlySpan<char> word, int count)
    {
        word.CopyTo(_texts.AsSpan(slot * MaxLength, MaxLength));
        _lengths[slot] = (byte)word.Length;
        _counts[slot] = count;
    }
}
