using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CivicDesk.Triage.Learning;

/// <summary>One model's answer inside a <see cref="ModelSet"/> prediction.</summary>
/// <param name="Task">The model's task.</param>
/// <param name="Label">The predicted label.</param>
/// <param name="Confidence">Its calibrated probability.</param>
/// <param name="IsLowConfidence">True when under the model's low-confidence threshold.</param>
public sealed record TaskPrediction(string Task, string Label, float Confidence, bool IsLowConfidence);

/// <summary>
/// All learned triage models loaded together (one per task), for the pipeline. Models that share
/// <see cref="FeatureSettings"/> share one pass of tokenising and hashing, and their int8 weights are interleaved
/// into one table row per bucket, so each feature costs one cache line for all of them (the hot path is memory
/// lookups, not arithmetic). Thread-safe; <see cref="Predict"/> allocates nothing after a thread's first call.
/// </summary>
public sealed class ModelSet
{
    [ThreadStatic]
    private static HashedFeatures? t_features;

    private readonly Group[] _groups;
    private readonly int[] _offsets;

    private ModelSet(IReadOnlyList<LinearTriageModel> models)
    {
        Models = models;
        _offsets = new int[models.Count + 1];
        for (var i = 0; i < models.Count; i++)
        {
            _offsets[i + 1] = _offsets[i] + models[i].Labels.Count;
        }

        _groups = [.. models.Select((m, i) => (m, i)).GroupBy(x => x.m.Features).Select(g => new Group(g.Key, [.. g.Select(x => x.i)], models))];
    }

    /// <summary>The models, in the order of <see cref="TriageTasks.All"/> (other tasks after, by name).</summary>
    public IReadOnlyList<LinearTriageModel> Models { get; }

    /// <summary>Length of the probability vector <see cref="Predict"/> fills: all models' labels, model after model.</summary>
    public int TotalLabels => _offsets[^1];

    /// <summary>Loads every <c>*.cdtm</c> model file in a folder.</summary>
    /// <param name="folder">The folder (e.g. models/).</param>
    /// <returns>The set.</returns>
    /// <exception cref="InvalidDataException">A file is damaged, or two files hold the same task.</exception>
    public static ModelSet Load(string folder) =>
        From(Directory.EnumerateFiles(folder, "*.cdtm").Select(LinearTriageModel.Load));

    /// <summary>A set of already loaded models.</summary>
    /// <param name="models">The models (one per task).</param>
    /// <returns>The set.</returns>
    public static ModelSet From(IEnumerable<LinearTriageModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var list = models.ToList();
        var duplicate = list.GroupBy(m => m.Task, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"Two models for task '{duplicate.Key}'.");
        }

        var known = TriageTasks.All.Select(t => t.Name).ToList();
        return new ModelSet([.. list.OrderBy(m => known.IndexOf(m.Task) is var i and >= 0 ? i : int.MaxValue).ThenBy(m => m.Task, StringComparer.Ordinal)]);
    }

    /// <summary>The model for a task, or null.</summary>
    /// <param name="task">Task name.</param>
    /// <returns>The model, or null.</returns>
    public LinearTriageModel? Find(string task) => Models.FirstOrDefault(m => string.Equals(m.Task, task, StringComparison.Ordinal));

    /// <summary>Where model <paramref name="modelIndex"/>'s probabilities start in the vector <see cref="Predict"/> fills.</summary>
    /// <param name="modelIndex">Index into <see cref="Models"/>.</param>
    /// <returns>The offset.</returns>
    public int LabelOffset(int modelIndex) => _offsets[modelIndex];

    /// <summary>
    /// Runs every model on <paramref name="text"/>: <paramref name="probabilities"/> gets each model's calibrated
    /// probabilities (model after model, see <see cref="LabelOffset"/>) and <paramref name="predicted"/> each model's
    /// predicted label index.
    /// </summary>
    /// <param name="text">The message.</param>
    /// <param name="probabilities">Output, at least <see cref="TotalLabels"/> long.</param>
    /// <param name="predicted">Output, at least <see cref="Models"/>.Count long.</param>
    public void Predict(ReadOnlySpan<char> text, Span<float> probabilities, Span<int> predicted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probabilities.Length, TotalLabels);
        ArgumentOutOfRangeException.ThrowIfLessThan(predicted.Length, Models.Count);
        var features = t_features ??= new HashedFeatures();
        foreach (var group in _groups)
        {
            group.Score(text, features, probabilities, _offsets, Models);
        }

        for (var i = 0; i < Models.Count; i++)
        {
            predicted[i] = LinearTriageModel.Softmax(probabilities[_offsets[i].._offsets[i + 1]], Models[i].Temperature);
        }
    }

    /// <summary>Every model's label and confidence for a message (allocates the result list).</summary>
    /// <param name="text">The message.</param>
    /// <returns>One prediction per model.</returns>
    public IReadOnlyList<TaskPrediction> Classify(ReadOnlySpan<char> text)
    {
        Span<float> p = stackalloc float[TotalLabels];
        Span<int> best = stackalloc int[Models.Count];
        Predict(text, p, best);
        var result = new TaskPrediction[Models.Count];
        for (var i = 0; i < Models.Count; i++)
        {
            var m = Models[i];
            var confidence = p[_offsets[i] + best[i]];
            result[i] = new TaskPrediction(m.Task, m.Labels[best[i]], confidence, confidence < m.LowConfidenceThreshold);
        }

        return result;
    }

    /// <summary>Every model's prediction with its evidence (allocates).</summary>
    /// <param name="text">The message.</param>
    /// <param name="top">Features per model.</param>
    /// <returns>One explanation per model.</returns>
    public IReadOnlyList<TriageExplanation> Explain(string text, int top = 10) => [.. Models.Select(m => m.Explain(text, top))];

    /// <summary>Models sharing feature settings: one extraction, one interleaved int8 table.</summary>
    private sealed class Group
    {
        private readonly sbyte[] _table;
        private readonly int _stride;
        private readonly uint _mask;
        private readonly int[] _members;
        private readonly float[] _scales;

        public Group(FeatureSettings settings, int[] members, IReadOnlyList<LinearTriageModel> models)
        {
            Extractor = new FeatureExtractor(settings);
            _members = members;
            _mask = (uint)settings.Buckets - 1;
            var width = members.Sum(i => models[i].Labels.Count);
            _stride = (width + 7) & ~7;
            _scales = new float[_stride];
            // 16 spare bytes: the vector path reads 16 bytes at each 8-byte step of the last row.
            _table = new sbyte[(settings.Buckets * _stride) + 16];
            var column = 0;
            foreach (var i in members)
            {
                var m = models[i];
                var k = m.Labels.Count;
                var source = m.Table;
                for (var b = 0; b < settings.Buckets; b++)
                {
                    source.Slice(b * k, k).CopyTo(_table.AsSpan((b * _stride) + column, k));
                }

                m.Scales.CopyTo(_scales.AsSpan(column));
                column += k;
            }
        }

        public FeatureExtractor Extractor { get; }

        public void Score(ReadOnlySpan<char> text, HashedFeatures features, Span<float> logits, int[] offsets, IReadOnlyList<LinearTriageModel> models)
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
            foreach (var i in _members)
            {
                var m = models[i];
                var k = m.Labels.Count;
                var bias = m.Bias;
                var denseWeights = m.DenseWeights;
                var output = logits.Slice(offsets[i], k);
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
            ref var table = ref MemoryMarshal.GetArrayDataReference(_table);
            if (Avx2.IsSupported && _stride == 32)
            {
                Accumulate32(hashes, ref table, sums);
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
    }

    /// <summary>
    /// Per-thread, direct-mapped cache from a word to the summed int8 character n-gram weights of one group (all its
    /// models' columns) and the number of n-grams. 2,048 entries (about 0.4 MB for 32 columns) stay in L2; words
    /// follow Zipf's law, so most tokens of a post hit. A word is stored with its text, so a hit is exact.
    /// </summary>
    private sealed class WordCache
    {
        private const int Size = 2048;
        private const int MaxLength = SocialTextNormaliser.MaxTokenLength;

        [ThreadStatic]
        private static WordCache?[]? t_caches;

        private readonly int[] _sums;
        private readonly int[] _counts = new int[Size];
        private readonly char[] _texts = new char[Size * MaxLength];
        private readonly byte[] _lengths = new byte[Size];
        private readonly int _stride;

        private WordCache(object owner, int stride)
        {
            Owner = owner;
            _stride = stride;
            _sums = new int[Size * stride];
            Array.Fill(_counts, -1);
        }

        private object Owner { get; }

        /// <summary>This thread's cache for a group; a thread keeps caches for up to four groups.</summary>
        public static WordCache For(object owner, int stride)
        {
            var caches = t_caches ??= new WordCache?[4];
            for (var i = 0; i < caches.Length; i++)
            {
                if (caches[i] is { } c && ReferenceEquals(c.Owner, owner))
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

            // More groups than slots: replace the last one (a different model set on this thread).
            return caches[^1] = new WordCache(owner, stride);
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
}
