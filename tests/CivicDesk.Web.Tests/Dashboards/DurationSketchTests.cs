using CivicDesk.Web.Features.Dashboards;
using CsCheck;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>The response-time distributions the dashboards merge: accuracy, merging and storage.</summary>
public sealed class DurationSketchTests
{
    // Working-hour durations as they occur: many exact zeros (answered outside opening hours), sub-second ones, minutes,
    // hours and the odd very old one (years).
    private static readonly Gen<double> Duration = Gen.Frequency(
        (2, Gen.Const(0.0)),
        (1, Gen.Double[0, 1.0 / 3600]),
        (4, Gen.Double[0, 2]),
        (4, Gen.Double[0, 200]),
        (1, Gen.Double[0, 30_000]));

    private const double Second = 1.0 / 3600;

    [Fact]
    public void Quantiles_AreWithinOnePercentOrOneSecond_OfTheExactOnes()
    {
        Gen.Select(Duration.List[1, 400], Gen.Double[0, 1]).Sample((values, q) =>
        {
            var sketch = new DurationSketch();
            values.ForEach(sketch.Add);
            foreach (var p in new[] { 0.5, 0.9, q, 0, 1 })
            {
                var exact = Describe.Quantile(values, p)!.Value;
                var approx = sketch.Quantile(p)!.Value;
                Math.Abs(approx - exact).ShouldBeLessThanOrEqualTo((DurationSketch.RelativeAccuracy * exact) + Second + 1e-12, $"q={p}: exact {exact}, sketch {approx}");
            }

            sketch.Count.ShouldBe(values.Count);
        }, iter: 500);
    }

    [Fact]
    public void Merging_EqualsOneSketchOfAllTheValues_AndSurvivesStorage()
    {
        Gen.Select(Duration.List[0, 200], Duration.List[0, 200]).Sample((a, b) =>
        {
            var left = new DurationSketch();
            var right = new DurationSketch();
            var whole = new DurationSketch();
            a.ForEach(left.Add);
            b.ForEach(right.Add);
            a.Concat(b).ToList().ForEach(whole.Add);

            var merged = DurationSketch.FromBytes(left.ToBytes());
            merged.MergeBytes(right.ToBytes());

            merged.Bins.ShouldBe(whole.Bins);
            merged.Count.ShouldBe(whole.Count);
            merged.Quantile(0.9).ShouldBe(whole.Quantile(0.9));
        }, iter: 300);
    }

    [Fact]
    public void ExactZeros_StayZero_AndAnEmptySketchHasNoQuantile()
    {
        var sketch = new DurationSketch();
        sketch.Quantile(0.5).ShouldBeNull();
        DurationSketch.FromBytes([]).Count.ShouldBe(0);

        sketch.Add(0);
        sketch.Add(0);
        sketch.Add(4);
        sketch.Quantile(0.5).ShouldBe(0);
        sketch.Quantile(1)!.Value.ShouldBe(4, 4 * DurationSketch.RelativeAccuracy);
        Should.Throw<ArgumentOutOfRangeException>(() => sketch.Add(-1));
    }

    [Fact]
    public void The_longest_durations_have_a_bin_that_survives_storage()
    {
        // The largest double lands in the highest bin a sketch can hold; stored bins beyond it are refused as corrupt.
        DurationSketch.Bin(double.MaxValue).ShouldBeLessThanOrEqualTo(DurationSketch.MaxBin);
        var sketch = new DurationSketch();
        sketch.Add(1e300);
        sketch.Add(87_600); // ten years of hours
        sketch.Add(0);
        var back = DurationSketch.FromBytes(sketch.ToBytes());
        back.Bins.ShouldBe(sketch.Bins);
        back.Bins.Last().Bin.ShouldBe(DurationSketch.Bin(1e300));
        back.Quantile(0.25)!.Value.ShouldBe(43_800, 43_800 * DurationSketch.RelativeAccuracy);

        byte[] beyond = [1, .. VarInt(DurationSketch.MaxBin + 1), 1];
        Should.Throw<InvalidDataException>(() => DurationSketch.FromBytes(beyond));

        static byte[] VarInt(int value)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream))
            {
                writer.Write7BitEncodedInt(value);
            }

            return stream.ToArray();
        }
    }

    [Theory]
    [InlineData(new byte[] { 2, 5, 1 })]          // says two bins, holds one and a half
    [InlineData(new byte[] { 1, 5, 0 })]          // a bin with no values
    [InlineData(new byte[] { 1, 5, 1, 9 })]       // trailing bytes
    [InlineData(new byte[] { 1, 0x80 })]          // a varint cut short
    public void CorruptBytes_AreRefused_NotGuessedAt(byte[] bytes)
    {
        Should.Throw<InvalidDataException>(() => DurationSketch.FromBytes(bytes));
    }
}
