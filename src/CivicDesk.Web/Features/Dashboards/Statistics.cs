using MathNet.Numerics.Distributions;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>One series tested for a rise: its baseline daily counts and the count on the day under test.</summary>
public sealed record EmergingCandidate(string Dimension, string Value, IReadOnlyList<int> Baseline, int Observed);

public sealed record EmergingAlert(string Dimension, string Value, int Observed, double Expected, double BaselineVariance, string Model, double PValue, double QValue, bool Flagged);

/// <summary>
/// Emerging issues: is today's count of a category, place or listening search higher than its recent baseline
/// predicts? The rule (stated on the dashboard and in docs/dashboards.md): the expected count is the baseline's
/// daily mean; counts are Poisson when the baseline varies no more than Poisson would, otherwise negative binomial
/// with the dispersion fitted to the baseline's variance (method of moments), since social contact is bursty and a
/// Poisson test would cry wolf. The one-sided p-value is P(X ≥ observed). Across all series tested on the day, the
/// Benjamini–Hochberg procedure (1995) keeps the expected share of false alerts at or below the chosen rate. An alert
/// also needs at least <c>minimumCount</c> messages, so one message more than nothing is never "emerging".
/// A series below that minimum on the day cannot alert, so it is not tested: it counts among the series tested (the
/// m of Benjamini–Hochberg) with p = 1. Raising p-values can only shrink the procedure's rejections, so this flags a
/// subset of what testing every series would, and the false-discovery control still holds (1 is a valid p-value).
/// What it buys: the dashboard reads baselines only for the few series at or above the minimum on the day (with
/// thousands of streets and hashtags a day, reading every series' 28-day baseline cost seconds a view).
/// </summary>
public static class EmergingIssues
{
    public const double DefaultFalseDiscoveryRate = 0.05;
    public const int DefaultMinimumCount = 5;

    /// <summary>
    /// Tests <paramref name="candidates"/>; <paramref name="belowMinimum"/> further series had at least one but fewer
    /// than <paramref name="minimumCount"/> messages on the day and were not passed (their baselines were not read):
    /// they count in the number tested with p = 1, exactly as if they had been passed.
    /// </summary>
    public static IReadOnlyList<EmergingAlert> Detect(IEnumerable<EmergingCandidate> candidates, double fdr = DefaultFalseDiscoveryRate, int minimumCount = DefaultMinimumCount,
        int belowMinimum = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(belowMinimum);
        var tested = candidates.Where(c => c.Baseline.Count > 0).Select(c => Test(c, minimumCount)).ToList();
        var q = BenjaminiHochberg([.. tested.Select(t => t.PValue), .. Enumerable.Repeat(1.0, belowMinimum)]);
        return tested.Select((t, i) => t with { QValue = q[i], Flagged = q[i] <= fdr && t.Observed >= minimumCount && t.Observed > t.Expected })
            .OrderBy(a => a.QValue).ThenByDescending(a => a.Observed).ToList();
    }

    private static EmergingAlert Test(EmergingCandidate c, int minimumCount)
    {
        var n = c.Baseline.Count;
        var mean = c.Baseline.Average();
        var variance = n > 1 ? c.Baseline.Sum(x => (x - mean) * (x - mean)) / (n - 1) : mean;
        // Half a message added to an empty baseline: a rate of exactly zero would make any count infinitely surprising.
        var lambda = Math.Max(mean, 0.5 / n);
        double p;
        string model;
        if (c.Observed < minimumCount)
        {
            // Cannot alert (see the class comment): p = 1, the same whether its baseline was read or not.
            p = 1;
            model = "not tested (under the minimum)";
        }
        else if (variance > lambda * 1.05 && n > 2)
        {
            var r = lambda * lambda / (variance - lambda);
            var success = r / (r + lambda);
            p = c.Observed <= 0 ? 1 : 1 - NegativeBinomial.CDF(r, success, c.Observed - 1);
            model = "negative binomial";
        }
        else
        {
            p = c.Observed <= 0 ? 1 : 1 - Poisson.CDF(lambda, c.Observed - 1);
            model = "Poisson";
        }

        return new EmergingAlert(c.Dimension, c.Value, c.Observed, lambda, variance, model, Math.Clamp(p, 0, 1), 1, false);
    }

    /// <summary>Benjamini–Hochberg adjusted p-values (q-values), in the input order.</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> p)
    {
        var m = p.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => p[i]).ToArray();
        var q = new double[m];
        var running = 1.0;
        for (var rank = m; rank >= 1; rank--)
        {
            var i = order[rank - 1];
            running = Math.Min(running, p[i] * m / rank);
            q[i] = Math.Min(1, running);
        }

        return q;
    }
}

/// <summary>Small descriptive statistics used by the dashboards.</summary>
public static class Describe
{
    /// <summary>The q-quantile by linear interpolation between order statistics (R type 7, Excel's PERCENTILE.INC).</summary>
    public static double? Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }
}
