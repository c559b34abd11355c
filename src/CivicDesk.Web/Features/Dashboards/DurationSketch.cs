namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// A mergeable distribution of durations (in hours) with a guaranteed relative accuracy, after DDSketch (Masson,
/// Rim and Lee, VLDB 2019): a time falls in a bin whose bounds grow by a factor γ = (1 + α) / (1 − α), and the bin
/// stands for the value 2γ^i / (γ + 1) that lies within α = 1% of anything in it. Durations under a second share bin 0,
/// read as 0 (so an answer outside opening hours, 0 working hours, stays exactly 0). Two sketches merge by adding
/// their bins, which is what lets a dashboard period's median and 90th percentile come from a day's rows however long
/// the period is; the quantile of a merged sketch is within 1% (or one second) of the exact one over all the values.
/// </summary>
public sealed class DurationSketch
{
    public const double RelativeAccuracy = 0.01;
    private const double OneSecond = 1.0 / 3600;
    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double LogGamma = Math.Log(Gamma);

    /// <summary>
    /// The highest bin a duration can fall in: <see cref="Bin"/> of the largest finite double. Stored bins above it can
    /// only come from corrupt bytes.
    /// </summary>
    public const int MaxBin = 36_000;

    // Counts indexed by bin, grown as higher bins arrive. A year's organisation view merges ~3,700 stored rows of ~150
    // bins each; a SortedDictionary made each bin a tree look-up and the response-time section cost ~100 ms at 10 M
    // messages (bench/README.md, session 17); an index add is a few nanoseconds. Real durations stay under ~1,000 bins
    // (ten years is bin ~980), so the array stays a few kilobytes.
    private long[] _counts = [];
    private int _lowest = int.MaxValue;
    private int _highest = -1;

    public long Count { get; private set; }

    /// <summary>The bin of a duration: 0 below one second, else 1 + ⌊log_γ(hours / 1 s)⌋.</summary>
    public static int Bin(double hours)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hours);
        if (hours < OneSecond)
        {
            return 0;
        }

        // The largest doubles overflow hours / 1 s to infinity; their logarithm in two steps keeps their bin finite.
        var seconds = hours / OneSecond;
        return 1 + (int)Math.Floor((double.IsInfinity(seconds) ? Math.Log(hours) - Math.Log(OneSecond) : Math.Log(seconds)) / LogGamma);
    }

    /// <summary>The value a bin stands for: within <see cref="RelativeAccuracy"/> of every duration in it.</summary>
    public static double ValueOf(int bin) => bin == 0 ? 0 : OneSecond * Math.Pow(Gamma, bin - 1) * 2 * Gamma / (Gamma + 1);

    public void Add(double hours) => Add(Bin(hours), 1);

    public void Merge(DurationSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var bin = other._lowest; bin <= other._highest; bin++)
        {
            if (other._counts[bin] != 0)
            {
                Add(bin, other._counts[bin]);
            }
        }
    }

    /// <summary>The bins in order, as (bin, count): what the property test compares.</summary>
    public IEnumerable<(int Bin, long Count)> Bins
    {
        get
        {
            for (var bin = _lowest; bin <= _highest; bin++)
            {
                if (_counts[bin] != 0)
                {
                    yield return (bin, _counts[bin]);
                }
            }
        }
    }

    /// <summary>
    /// The q-quantile the way <see cref="Describe.Quantile"/> computes it over the raw values (linear interpolation
    /// between the order statistics at ranks ⌊(n−1)q⌋ and the next, R type 7), each order statistic read as its bin's
    /// value; null when empty.
    /// </summary>
    public double? Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        if (Count == 0)
        {
            return null;
        }

        var h = (Count - 1) * q;
        var lo = (long)Math.Floor(h);
        var hi = Math.Min(lo + 1, Count - 1);
        var low = ValueAtRank(lo);
        var high = hi == lo ? low : ValueAtRank(hi);
        return low + ((h - lo) * (high - low));
    }

    /// <summary>Compact bytes for a database column: the number of bins, then each bin as a gap from the last and a count (7-bit varints).</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write7BitEncodedInt(Bins.Count());
            var last = 0;
            foreach (var (bin, count) in Bins)
            {
                writer.Write7BitEncodedInt(bin - last);
                writer.Write7BitEncodedInt64(count);
                last = bin;
            }
        }

        return stream.ToArray();
    }

    /// <summary>Reads <see cref="ToBytes"/>; empty bytes are an empty sketch. Corrupt bytes throw (the row is rebuilt, never guessed at).</summary>
    public static DurationSketch FromBytes(ReadOnlySpan<byte> bytes)
    {
        var sketch = new DurationSketch();
        sketch.MergeBytes(bytes);
        return sketch;
    }

    /// <summary>
    /// Adds stored bins without building an intermediate sketch (a year's view merges thousands of rows). Corrupt bytes
    /// throw part-way, leaving this sketch unfit for use (its callers drop it with the exception).
    /// </summary>
    public void MergeBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var position = 0;
        var bins = ReadVarint(bytes, ref position);
        var bin = 0L;
        var (first, added) = (-1, 0L);
        // A year's organisation view merges ≈ 3,600 stored sketches of ≈ 150 bins: the bins are added here in one loop
        // (stored in ascending order, so the first and last give the range once) rather than through Add, and most
        // varints are one byte (ReadVarint's fast path). Half the CPU of the response-time section went to this loop
        // at 10 M messages (dotnet-trace, bench/README.md session 19).
        for (var i = 0; i < bins; i++)
        {
            bin += ReadVarint(bytes, ref position);
            var count = ReadVarint(bytes, ref position);
            if ((ulong)bin > MaxBin || count <= 0)
            {
                throw new InvalidDataException("A stored duration distribution is corrupt.");
            }

            if (bin >= _counts.Length)
            {
                Grow((int)bin);
            }

            _counts[bin] += count;
            added += count;
            first = first < 0 ? (int)bin : first;
        }

        if (position != bytes.Length)
        {
            throw new InvalidDataException("A stored duration distribution has trailing bytes.");
        }

        if (first >= 0)
        {
            Count += added;
            _lowest = Math.Min(_lowest, first);
            _highest = Math.Max(_highest, (int)bin);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static long ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        if ((uint)position < (uint)bytes.Length && bytes[position] < 0x80)
        {
            return bytes[position++];
        }

        return ReadLongVarint(bytes, ref position);
    }

    private static long ReadLongVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        long value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
            {
                throw new InvalidDataException("A stored duration distribution is truncated.");
            }

            var b = bytes[position++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("A stored duration distribution is corrupt.");
    }

    private void Grow(int bin) => Array.Resize(ref _counts, Math.Max(bin + 1, Math.Min(MaxBin + 1, Math.Max(64, _counts.Length * 2))));

    private void Add(int bin, long count)
    {
        if (bin >= _counts.Length)
        {
            Grow(bin);
        }

        _counts[bin] += count;
        Count += count;
        _lowest = Math.Min(_lowest, bin);
        _highest = Math.Max(_highest, bin);
    }

    private double ValueAtRank(long rank)
    {
        var seen = 0L;
        for (var bin = _lowest; bin <= _highest; bin++)
        {
            seen += _counts[bin];
            if (rank < seen)
            {
                return ValueOf(bin);
            }
        }

        return ValueOf(_highest);
    }
}
