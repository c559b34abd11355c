using CivicDesk.Web.Features.Dashboards;
using MathNet.Numerics.Distributions;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>The method validated on synthetic series whose truth is known (evaluation.md: recover a known effect; no false effect in ~95 % of seeds).</summary>
public sealed class InterruptedTimeSeriesTests
{
    private static readonly DateOnly Start = new(2025, 9, 1);
    private static readonly DateOnly Intervention = new(2026, 1, 12);
    private static readonly HashSet<DateOnly> Holidays = [new(2025, 12, 25), new(2025, 12, 26), new(2026, 1, 1), new(2026, 4, 3), new(2026, 4, 6)];

    /// <summary>Weekday pattern, a gentle trend, bank holidays near zero, AR(1) noise (busy days follow busy days), closed Sundays.</summary>
    private static List<DailyCount> Series(int seed, double levelEffect, double slopeEffect = 0, int daysAfter = 90)
    {
        var random = new Random(seed);
        var weekday = new Dictionary<DayOfWeek, double>
        {
            [DayOfWeek.Monday] = 40, [DayOfWeek.Tuesday] = 30, [DayOfWeek.Wednesday] = 25, [DayOfWeek.Thursday] = 24, [DayOfWeek.Friday] = 20, [DayOfWeek.Saturday] = -40,
        };
        var list = new List<DailyCount>();
        var noise = 0.0;
        for (var d = Start; d < Intervention.AddDays(daysAfter); d = d.AddDays(1))
        {
            noise = (0.3 * noise) + Normal.Sample(random, 0, 8);
            if (d.DayOfWeek == DayOfWeek.Sunday)
            {
                continue;
            }

            var t = d.DayNumber - Start.DayNumber;
            var after = d >= Intervention;
            var value = 120 + (0.05 * t) + weekday[d.DayOfWeek] + noise
                        + (after ? levelEffect + (slopeEffect * (d.DayNumber - Intervention.DayNumber)) : 0)
                        + (Holidays.Contains(d) ? -90 : 0);
            list.Add(new DailyCount(d, Math.Max(0, Math.Round(value))));
        }

        return list;
    }

    [Fact]
    public void Analyse_RecoversAKnownDrop_InsideItsInterval()
    {
        var result = InterruptedTimeSeries.Analyse(Series(seed: 7, levelEffect: -25), Intervention, Holidays);

        result.Enough.ShouldBeTrue();
        result.Significant.ShouldBeTrue();
        result.MeanDailyLow.ShouldBeLessThan(-25);
        result.MeanDailyHigh.ShouldBeGreaterThan(-25);
        result.LevelLow.ShouldBeLessThan(-25);
        result.LevelHigh.ShouldBeGreaterThan(-25);
        result.TotalChange.ShouldBe(result.MeanDailyChange * result.DaysAfter, 1e-6);
    }

    [Fact]
    public void Analyse_RecoversKnownEffects_AcrossSeeds()
    {
        // A level drop plus a slope change: mean daily effect over the 90 days after = −15 − 0.2 · mean(0..89 without Sundays).
        var covered = 0;
        for (var seed = 1; seed <= 40; seed++)
        {
            var series = Series(seed, levelEffect: -15, slopeEffect: -0.2);
            var result = InterruptedTimeSeries.Analyse(series, Intervention, Holidays);
            var truth = series.Where(p => p.Date >= Intervention).Average(p => -15 - (0.2 * (p.Date.DayNumber - Intervention.DayNumber)));
            if (result.MeanDailyLow <= truth && truth <= result.MeanDailyHigh)
            {
                covered++;
            }
        }

        covered.ShouldBeGreaterThanOrEqualTo(35); // nominal 95 % of 40 is 38
    }

    [Fact]
    public void Analyse_WithNoEffect_ReportsNoneInAtLeast93Of100Seeds()
    {
        var quiet = Enumerable.Range(1, 100).Count(seed => !InterruptedTimeSeries.Analyse(Series(seed, levelEffect: 0), Intervention, Holidays).Significant);

        quiet.ShouldBeGreaterThanOrEqualTo(93);
    }

    [Fact]
    public void Analyse_SaysTooLittleData_WithUnderEightWeeksBefore()
    {
        var series = Series(3, -25).Where(p => p.Date >= Intervention.AddDays(-50)).ToList();

        var result = InterruptedTimeSeries.Analyse(series, Intervention, Holidays);

        result.Enough.ShouldBeFalse();
        result.Significant.ShouldBeFalse();
        result.NotEnoughReason.ShouldNotBeNull().ShouldContain("8 weeks");
    }

    [Fact]
    public void Analyse_SaysTooLittleData_WithTooFewDaysAfter()
    {
        var result = InterruptedTimeSeries.Analyse(Series(3, -25, daysAfter: 5), Intervention, Holidays);

        result.Enough.ShouldBeFalse();
        result.DaysAfter.ShouldBe(5);
    }

    [Fact]
    public void Analyse_CounterfactualIsTheModelWithoutTheIntervention()
    {
        var result = InterruptedTimeSeries.Analyse(Series(5, -25), Intervention, Holidays);

        var before = result.Points.Where(p => !p.After).ToList();
        before.ShouldAllBe(p => Math.Abs(p.Fitted - p.Counterfactual) < 1e-6);
        var after = result.Points.Where(p => p.After).ToList();
        after.Average(p => p.Fitted - p.Counterfactual).ShouldBe(result.MeanDailyChange, 1e-6);
        result.Coefficients.ShouldContain(c => c.Term == "Bank holiday");
        result.Coefficients.ShouldNotContain(c => c.Term.StartsWith("Sunday", StringComparison.Ordinal)); // closed: never varies, dropped
    }
}
