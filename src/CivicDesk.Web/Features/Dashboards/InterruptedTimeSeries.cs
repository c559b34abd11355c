using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace CivicDesk.Web.Features.Dashboards;

public sealed record DailyCount(DateOnly Date, double Value);

public sealed record ItsPoint(DateOnly Date, double Observed, double Fitted, double Counterfactual, bool After);

public sealed record ItsCoefficient(string Term, double Estimate, double StandardError);

/// <summary>The outcome of one analysis: either a result or the reason there is none.</summary>
public sealed record ItsResult(
    bool Enough,
    string? NotEnoughReason,
    int DaysBefore,
    int DaysAfter,
    double LevelChange, double LevelLow, double LevelHigh,
    double SlopeChangePerDay,
    // Mean of (observed − counterfactual) a day over the days after: the headline figure.
    double MeanDailyChange, double MeanDailyLow, double MeanDailyHigh,
    // Total over the days after (mean daily change × days after).
    double TotalChange, double TotalLow, double TotalHigh,
    int NeweyWestLag,
    IReadOnlyList<ItsCoefficient> Coefficients,
    IReadOnlyList<ItsPoint> Points)
{
    /// <summary>True when the 95 % interval of the mean daily change excludes zero.</summary>
    public bool Significant => Enough && (MeanDailyLow > 0 || MeanDailyHigh < 0);

    public static ItsResult TooLittle(string reason, int before, int after) =>
        new(false, reason, before, after, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, [], []);
}

/// <summary>
/// Interrupted time series by segmented regression (Bernal, Cummins &amp; Gasparrini, Int J Epidemiol 46(1), 2017):
/// y = b0 + b1·t + b2·after + b3·(t − t0)·after + day-of-week terms + a bank-holiday term + e, fitted by least squares,
/// with Newey–West (Bartlett kernel) standard errors so that day-to-day autocorrelation does not make the interval
/// too narrow. The headline is the mean daily difference between what happened and the counterfactual (the same
/// model with the intervention terms set to zero) over the days after, with its 95 % interval from Student's t.
/// </summary>
public static class InterruptedTimeSeries
{
    public const int MinimumDaysBefore = 56; // 8 weeks: a common rule of thumb for segmented regression on daily data
    public const int MinimumDaysAfter = 14;

    public static ItsResult Analyse(IReadOnlyList<DailyCount> series, DateOnly intervention, IReadOnlySet<DateOnly> bankHolidays, double level = 0.95)
    {
        var data = series.OrderBy(p => p.Date).ToList();
        var before = data.Count(p => p.Date < intervention);
        var after = data.Count - before;
        if (before < MinimumDaysBefore)
        {
            return ItsResult.TooLittle($"There are {before} days of data before the intervention; at least {MinimumDaysBefore} (8 weeks) are needed to estimate the trend and weekly pattern it would have followed.", before, after);
        }

        if (after < MinimumDaysAfter)
        {
            return ItsResult.TooLittle($"There are {after} days of data from the intervention on; at least {MinimumDaysAfter} are needed to see a change.", before, after);
        }

        var origin = data[0].Date;
        double T(DateOnly d) => d.DayNumber - origin.DayNumber;
        var t0 = T(intervention);

        // Candidate columns; any that never varies (e.g. Sundays when the centre is closed, no bank holiday in range) is dropped.
        var names = new List<string> { "Intercept", "Trend (per day)", "Level change at intervention", "Trend change (per day)" };
        var dows = new[] { DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday };
        names.AddRange(dows.Select(d => $"{d} (vs Monday)"));
        names.Add("Bank holiday");
        double[] Row(DailyCount p, bool counterfactual)
        {
            var t = T(p.Date);
            var isAfter = !counterfactual && p.Date >= intervention ? 1.0 : 0.0;
            var row = new List<double> { 1, t, isAfter, isAfter * (t - t0) };
            row.AddRange(dows.Select(d => p.Date.DayOfWeek == d ? 1.0 : 0.0));
            row.Add(bankHolidays.Contains(p.Date) ? 1 : 0);
            return [.. row];
        }

        var full = data.Select(p => Row(p, false)).ToArray();
        var keep = Enumerable.Range(0, names.Count).Where(j => j < 4 || full.Select(r => r[j]).Distinct().Count() > 1).ToArray();
        var x = Matrix<double>.Build.DenseOfRowArrays(full.Select(r => keep.Select(j => r[j]).ToArray()));
        var y = Vector<double>.Build.DenseOfEnumerable(data.Select(p => p.Value));
        var n = x.RowCount;
        var k = x.ColumnCount;
        var beta = x.QR().Solve(y);
        var residuals = y - (x * beta);
        var bread = x.TransposeThisAndMultiply(x).Inverse();

        // Newey–West: lag by the usual rule floor(4 (n/100)^(2/9)), Bartlett weights 1 − l/(L+1).
        var lag = (int)Math.Floor(4 * Math.Pow(n / 100.0, 2.0 / 9.0));
        var meat = Matrix<double>.Build.Dense(k, k);
        for (var i = 0; i < n; i++)
        {
            var xi = x.Row(i) * residuals[i];
            meat += xi.OuterProduct(xi);
        }

        for (var l = 1; l <= lag; l++)
        {
            var w = 1 - (l / (lag + 1.0));
            for (var i = l; i < n; i++)
            {
                var a = x.Row(i) * residuals[i];
                var b = x.Row(i - l) * residuals[i - l];
                meat += (a.OuterProduct(b) + b.OuterProduct(a)) * w;
            }
        }

        var covariance = bread * meat * bread * (n / (double)(n - k)); // small-sample scaling (HC1-style)
        var tCritical = StudentT.InvCDF(0, 1, n - k, 1 - ((1 - level) / 2));
        var se = Enumerable.Range(0, k).Select(j => Math.Sqrt(Math.Max(0, covariance[j, j]))).ToArray();

        // Headline: mean over the days after of b2 + b3·(t − t0), a linear combination c'b.
        var postDays = data.Where(p => p.Date >= intervention).Select(p => T(p.Date) - t0).ToList();
        var c = Vector<double>.Build.Dense(k);
        c[2] = 1;
        c[3] = postDays.Average();
        var mean = c.DotProduct(beta);
        var meanSe = Math.Sqrt(Math.Max(0, c.DotProduct(covariance * c)));

        var points = data.Select((p, i) => new ItsPoint(p.Date, p.Value, (x.Row(i) * beta),
            keep.Select(j => Row(p, true)[j]).Zip(beta).Sum(z => z.First * z.Second), p.Date >= intervention)).ToList();
        var coefficients = keep.Select((j, col) => new ItsCoefficient(names[j], beta[col], se[col])).ToList();
        return new ItsResult(true, null, before, after,
            beta[2], beta[2] - (tCritical * se[2]), beta[2] + (tCritical * se[2]), beta[3],
            mean, mean - (tCritical * meanSe), mean + (tCritical * meanSe),
            mean * after, (mean - (tCritical * meanSe)) * after, (mean + (tCritical * meanSe)) * after,
            lag, coefficients, points);
    }
}
