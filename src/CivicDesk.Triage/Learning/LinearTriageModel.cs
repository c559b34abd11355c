using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace CivicDesk.Triage.Learning;

/// <summary>A label and its calibrated probability.</summary>
/// <param name="Label">The label.</param>
/// <param name="Probability">Its probability.</param>
public sealed record LabelProbability(string Label, float Probability);

/// <summary>One feature of the message and how much it pushed the prediction.</summary>
/// <param name="Feature">The readable feature: a word, "two words", a character n-gram such as <c>&lt;pot</c>, or a flag.</param>
/// <param name="Kind">word, ngram, chars, flag or dense.</param>
/// <param name="Weight">Its contribution to the predicted label's score, relative to the mean over labels (positive: for it).</param>
public sealed record FeatureContribution(string Feature, string Kind, float Weight);

/// <summary>A prediction with its evidence.</summary>
/// <param name="Task">The model's task.</param>
/// <param name="Label">The predicted label.</param>
/// <param name="Confidence">Its calibrated probability.</param>
/// <param name="IsLowConfidence">True when the confidence is under the model's dev-chosen threshold: a person should check.</param>
/// <param name="Probabilities">Every label's probability, highest first.</param>
/// <param name="Features">The strongest contributions, by absolute weight.</param>
public sealed record TriageExplanation(
    string Task,
    string Label,
    float Confidence,
    bool IsLowConfidence,
    IReadOnlyList<LabelProbability> Probabilities,
    IReadOnlyList<FeatureContribution> Features);

/// <summary>
/// A multinomial logistic-regression classifier over hashed features (<see cref="FeatureExtractor"/>), with
/// temperature-scaled probabilities and a low-confidence threshold, loaded from a versioned binary model file.
/// Weights of the hashed buckets are stored as int8 with one scale per class (a quarter of float32's size and
/// cache footprint); dense-feature weights and biases stay float32. Thread-safe; <see cref="Predict"/> allocates
/// nothing after a thread's first call.
/// </summary>
public sealed class LinearTriageModel
{
    /// <summary>The model file format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "CDTRIAGE"u8;

    [ThreadStatic]
    private static HashedFeatures? t_features;

    private readonly sbyte[] _table;
    private readonly float[] _scales;
    private readonly float[] _denseWeights;
    private readonly float[] _bias;
    private readonly string[] _labels;

    // Built on the first Predict: a padded, aligned copy of the table for the vectorised hot path.
    private FusedScorer? _scorer;

    internal LinearTriageModel(string task, string[] labels, FeatureSettings features, sbyte[] table, float[] scales, float[] denseWeights,
        float[] bias, float temperature, float lowConfidenceThreshold, ModelInfo info)
    {
        var k = labels.Length;
        if (k < 2 || table.Length != features.Buckets * k || scales.Length != k || denseWeights.Length != FeatureSettings.DenseCount * k || bias.Length != k)
        {
            throw new InvalidDataException("Model arrays do not match the label count and bucket count.");
        }

        Task = task;
        _labels = labels;
        Features = features;
        _table = table;
        _scales = scales;
        _denseWeights = denseWeights;
        _bias = bias;
        Temperature = temperature;
        LowConfidenceThreshold = lowConfidenceThreshold;
        Info = info;
        Extractor = new FeatureExtractor(features);
    }

    /// <summary>The task (dataset folder name), e.g. complaints.</summary>
    public string Task { get; }

    /// <summary>The labels, in the order of the probability vector.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>The feature settings the model was trained with.</summary>
    public FeatureSettings Features { get; }

    /// <summary>Softmax temperature fitted on dev (probabilities = softmax(logits / T)).</summary>
    public float Temperature { get; }

    /// <summary>Below this confidence a prediction is low-confidence (chosen on dev; see <see cref="ModelInfo.LowConfidenceTarget"/>).</summary>
    public float LowConfidenceThreshold { get; }

    /// <summary>How the model was made and its dev scores.</summary>
    public ModelInfo Info { get; }

    internal FeatureExtractor Extractor { get; }

    internal ReadOnlySpan<sbyte> Table => _table;

    internal ReadOnlySpan<float> Scales => _scales;

    internal ReadOnlySpan<float> DenseWeights => _denseWeights;

    internal ReadOnlySpan<float> Bias => _bias;

    /// <summary>Loads a model file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The file is not a model, is damaged, or has another format version.</exception>
    public static LinearTriageModel Load(string path) => Read(File.ReadAllBytes(path));

    /// <summary>Saves the model file.</summary>
    /// <param name="path">The file (its folder is created).</param>
    public void Save(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllBytes(path, ToBytes());
    }

    /// <summary>
    /// Predicts the label of <paramref name="text"/>: fills <paramref name="probabilities"/> (one per label, in
    /// <see cref="Labels"/> order) and returns the index of the most probable label.
    /// </summary>
    /// <param name="text">The message.</param>
    /// <param name="probabilities">Output, at least <see cref="Labels"/>.Count long.</param>
    /// <returns>The predicted label's index.</returns>
    public int Predict(ReadOnlySpan<char> text, Span<float> probabilities)
    {
        var k = _labels.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(probabilities.Length, k);
        var features = t_features ??= new HashedFeatures();
        var output = probabilities[..k];
        var scorer = _scorer ?? LazyInitializer.EnsureInitialized(ref _scorer, () => new FusedScorer(Features, [(this, 0)]));
        scorer.Score(text, features, output);
        return Softmax(output, Temperature);
    }

    /// <summary>Predicts and returns the label and its confidence (allocates only the result strings it already holds).</summary>
    /// <param name="text">The message.</param>
    /// <returns>The label, its probability, and whether it is under the low-confidence threshold.</returns>
    public (string Label, float Confidence, bool IsLowConfidence) Classify(ReadOnlySpan<char> text)
    {
        Span<float> p = stackalloc float[_labels.Length];
        var best = Predict(text, p);
        return (_labels[best], p[best], p[best] < LowConfidenceThreshold);
    }

    /// <summary>Predicts with the evidence: the <paramref name="top"/> features that moved the score most (allocates).</summary>
    /// <param name="text">The message.</param>
    /// <param name="top">How many features to return.</param>
    /// <returns>The explanation.</returns>
    public TriageExplanation Explain(string text, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(text);
        var features = new HashedFeatures { RecordNames = true };
        Extractor.Extract(text, features);
        return Explain(features, top);
    }

    /// <summary>
    /// <see cref="Explain(string, int)"/> on features already extracted with names (<see cref="HashedFeatures.RecordNames"/>)
    /// by an extractor with this model's <see cref="Features"/>: models sharing settings share one extraction.
    /// </summary>
    internal TriageExplanation Explain(HashedFeatures features, int top)
    {
        var k = _labels.Length;
        var p = new float[k];
        ComputeLogits(features, p);
        var best = Softmax(p, Temperature);

        var contributions = new Dictionary<(string, string), float>();
        var perClass = new float[k];
        void Add(string name, string kind, int row, float value)
        {
            var mean = 0f;
            for (var c = 0; c < k; c++)
            {
                perClass[c] = _table[(row * k) + c] * _scales[c] * value;
                mean += perClass[c];
            }

            var weight = (perClass[best] - (mean / k)) / Temperature;
            contributions[(name, kind)] = contributions.GetValueOrDefault((name, kind)) + weight;
        }

        var wordScale = 1f / MathF.Sqrt(Math.Max(1, features.WordCount));
        for (var i = 0; i < features.WordCount; i++)
        {
            var h = features.WordHashes[i];
            var name = features.WordNames[i];
            var kind = name.Contains(' ', StringComparison.Ordinal) ? "ngram" : name is "<shout>" or "<elong>" ? "flag" : "word";
            Add(name, kind, FeatureExtractor.Bucket(h, Features.BucketBits), FeatureExtractor.Sign(h) * wordScale);
        }

        var charScale = 1f / MathF.Sqrt(Math.Max(1, features.CharCount));
        for (var i = 0; i < features.CharCount && features.CharNames.Count == features.CharCount; i++)
        {
            var h = features.CharHashes[i];
            Add(features.CharNames[i], "chars", FeatureExtractor.Bucket(h, Features.BucketBits), FeatureExtractor.Sign(h) * charScale);
        }

        for (var d = 0; d < FeatureSettings.DenseCount; d++)
        {
            var value = features.Dense[d];
            if (value == 0)
            {
                continue;
            }

            var mean = 0f;
            for (var c = 0; c < k; c++)
            {
                mean += _denseWeights[(d * k) + c] * value;
            }

            contributions[(FeatureSettings.DenseNames[d], "dense")] = ((_denseWeights[(d * k) + best] * value) - (mean / k)) / Temperature;
        }

        var topFeatures = contributions
            .Where(kv => kv.Value != 0)
            .OrderByDescending(kv => Math.Abs(kv.Value))
            .ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal)
            .Take(top)
            .Select(kv => new FeatureContribution(kv.Key.Item1, kv.Key.Item2, kv.Value))
            .ToList();
        var probabilities = _labels.Select((label, i) => new LabelProbability(label, p[i])).OrderByDescending(x => x.Probability).ToList();
        return new TriageExplanation(Task, _labels[best], p[best], p[best] < LowConfidenceThreshold, probabilities, topFeatures);
    }

    /// <summary>
    /// Raw scores (before temperature and softmax) of already-extracted features: the plain reference implementation,
    /// used by training and <see cref="Explain(string, int)"/>; <see cref="Predict"/> uses <see cref="FusedScorer"/>, which must agree.
    /// </summary>
    internal void ComputeLogits(HashedFeatures features, Span<float> logits)
    {
        var k = _labels.Length;
        Span<int> word = stackalloc int[k];
        Span<int> chars = stackalloc int[k];
        word.Clear();
        chars.Clear();
        Accumulate(features.WordHashes, word);
        Accumulate(features.CharHashes, chars);
        var wordScale = 1f / MathF.Sqrt(Math.Max(1, features.WordCount));
        var charScale = 1f / MathF.Sqrt(Math.Max(1, features.CharCount));
        var dense = features.Dense;
        for (var c = 0; c < k; c++)
        {
            var z = _bias[c] + (_scales[c] * ((word[c] * wordScale) + (chars[c] * charScale)));
            for (var d = 0; d < dense.Length; d++)
            {
                z += dense[d] * _denseWeights[(d * k) + c];
            }

            logits[c] = z;
        }
    }

    private void Accumulate(ReadOnlySpan<uint> hashes, Span<int> sums)
    {
        var k = _labels.Length;
        var mask = (uint)Features.Buckets - 1;
        ref var table = ref MemoryMarshal.GetArrayDataReference(_table);
        ref var sum = ref MemoryMarshal.GetReference(sums);
        foreach (var h in hashes)
        {
            // sign from the top bit: m is 0 or -1, and (x ^ m) - m negates x when m is -1, without a branch
            var m = (int)h >> 31;
            ref var row = ref Unsafe.Add(ref table, (nint)((h & mask) * (uint)k));
            for (var c = 0; c < k; c++)
            {
                Unsafe.Add(ref sum, c) += (Unsafe.Add(ref row, c) ^ m) - m;
            }
        }
    }

    /// <summary>In-place softmax of logits / temperature; returns the arg-max.</summary>
    internal static int Softmax(Span<float> values, float temperature)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        var max = values[best];
        var sum = 0f;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Exp((values[i] - max) / temperature);
            sum += values[i];
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] /= sum;
        }

        return best;
    }

    /// <summary>Builds a model from float weights: bucket rows are quantised to int8 with one max-abs scale per class.</summary>
    internal static LinearTriageModel Quantise(string task, string[] labels, FeatureSettings settings, float[] weights, float[] bias,
        float temperature, float threshold, ModelInfo info)
    {
        var k = labels.Length;
        var buckets = settings.Buckets;
        var scales = new float[k];
        for (var c = 0; c < k; c++)
        {
            var max = 0f;
            for (var j = 0; j < buckets; j++)
            {
                max = Math.Max(max, Math.Abs(weights[(j * k) + c]));
            }

            scales[c] = max == 0 ? 1 : max / 127f;
        }

        var table = new sbyte[buckets * k];
        for (var j = 0; j < buckets; j++)
        {
            for (var c = 0; c < k; c++)
            {
                table[(j * k) + c] = (sbyte)Math.Clamp(MathF.Round(weights[(j * k) + c] / scales[c]), -127, 127);
            }
        }

        var dense = weights.AsSpan(buckets * k, FeatureSettings.DenseCount * k).ToArray();
        return new LinearTriageModel(task, labels, settings, table, scales, dense, [.. bias], temperature, threshold, info);
    }

    /// <summary>A copy with another temperature, threshold and info (used at the end of training).</summary>
    internal LinearTriageModel With(float temperature, float threshold, ModelInfo info) =>
        new(Task, _labels, Features, _table, _scales, _denseWeights, _bias, temperature, threshold, info);

    /// <summary>The model file's bytes (see docs/triage-models.md for the layout).</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write((ushort)FormatVersion);
            w.Write((ushort)0);
            w.Write(Task);
            w.Write(_labels.Length);
            foreach (var label in _labels)
            {
                w.Write(label);
            }

            w.Write(Features.Seed);
            w.Write((byte)Features.BucketBits);
            w.Write((byte)Features.WordNgramMax);
            w.Write((byte)Features.CharNgramMin);
            w.Write((byte)Features.CharNgramMax);
            w.Write(Temperature);
            w.Write(LowConfidenceThreshold);
            w.Write(JsonSerializer.Serialize(Info, LearningJson.Default.ModelInfo));
            WriteFloats(w, _scales);
            WriteFloats(w, _denseWeights);
            WriteFloats(w, _bias);
            var raw = MemoryMarshal.AsBytes(_table.AsSpan());
            var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(raw.Length)];
            if (!BrotliEncoder.TryCompress(raw, compressed, out var written, quality: 9, window: 22))
            {
                throw new InvalidOperationException("Brotli compression of the weights failed.");
            }

            w.Write(written);
            w.Write(compressed, 0, written);
        }

        var body = stream.ToArray();
        var result = new byte[body.Length + 4];
        body.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(body.Length), Checksum(body));
        return result;
    }

    /// <summary>Reads a model from the bytes of a model file.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">Not a model file, damaged, or another format version.</exception>
    public static LinearTriageModel Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < Magic.Length + 8 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a CivicDesk triage model file.");
        }

        var body = bytes.AsSpan(0, bytes.Length - 4);
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) != Checksum(body))
        {
            throw new InvalidDataException("Model file checksum mismatch: the file is damaged.");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            r.ReadBytes(Magic.Length);
            var version = r.ReadUInt16();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"Model format version {version}; this build reads version {FormatVersion}.");
            }

            r.ReadUInt16();
            var task = r.ReadString();
            var k = r.ReadInt32();
            if (k is < 2 or > 1000)
            {
                throw new InvalidDataException($"Implausible label count {k}.");
            }

            var labels = new string[k];
            for (var i = 0; i < k; i++)
            {
                labels[i] = r.ReadString();
            }

            var settings = new FeatureSettings(r.ReadInt32(), r.ReadByte(), r.ReadByte(), r.ReadByte(), r.ReadByte());
            settings.Validate();
            var temperature = r.ReadSingle();
            var threshold = r.ReadSingle();
            var info = JsonSerializer.Deserialize(r.ReadString(), LearningJson.Default.ModelInfo) ?? new ModelInfo();
            var scales = ReadFloats(r, k);
            var dense = ReadFloats(r, FeatureSettings.DenseCount * k);
            var bias = ReadFloats(r, k);
            var compressedLength = r.ReadInt32();
            var compressed = r.ReadBytes(compressedLength);
            var table = new sbyte[settings.Buckets * k];
            if (!BrotliDecoder.TryDecompress(compressed, MemoryMarshal.AsBytes(table.AsSpan()), out var written) || written != table.Length)
            {
                throw new InvalidDataException("Model weights do not decompress to the expected size.");
            }

            return new LinearTriageModel(task, labels, settings, table, scales, dense, bias, temperature, threshold, info);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException or JsonException)
        {
            throw new InvalidDataException("Model file is truncated or malformed.", e);
        }
    }

    private static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static float[] ReadFloats(BinaryReader r, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = r.ReadSingle();
        }

        return values;
    }

    private static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        var h = StableHash.Start(0x6D6F64u);
        foreach (var b in bytes)
        {
            h = StableHash.Append(h, (char)b);
        }

        return StableHash.Finish(h);
    }
}
