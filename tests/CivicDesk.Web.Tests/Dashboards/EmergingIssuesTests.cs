using CivicDesk.Web.Features.Dashboards;
using MathNet.Numerics.Distributions;

namespace CivicDesk.Web.Tests.Dashboards;

public sealed class EmergingIssuesTests
{
    [Fact]
    public void BenjaminiHochberg_MatchesTheTextbookExample()
    {
        // p-values 0.01, 0.04, 0.03, 0.005 (m = 4): q = p·m/rank, made monotone from the largest down.
        var q = EmergingIssues.BenjaminiHochberg([0.01, 0.04, 0.03, 0.005]);

        q[3].ShouldBe(0.02, 1e-12);
        q[0].ShouldBe(0.02, 1e-12);
        q[2].ShouldBe(0.04, 1e-12);
        q[1].ShouldBe(0.04, 1e-12);
    }

    [Fact]
    public void Detect_FlagsASpike_AndNotASteadySeries()
    {
        var steady = Enumerable.Repeat(10, 28).ToList();
        var alerts = EmergingIssues.Detect([
            new EmergingCandidate("Category", "flooding", Enumerable.Repeat(2, 28).ToList(), 19),
            new EmergingCandidate("Category", "bins", steady, 11),
        ]);

        alerts.Single(a => a.Value == "flooding").Flagged.ShouldBeTrue();
        alerts.Single(a => a.Value == "bins").Flagged.ShouldBeFalse();
    }

    [Fact]
    public void Detect_NeedsTheMinimumCount_EvenFromNothing()
    {
        var alerts = EmergingIssues.Detect([new EmergingCandidate("Place", "Mill Lane", Enumerable.Repeat(0, 28).ToList(), 4)]);

        alerts.Single().Flagged.ShouldBeFalse();
    }

    [Fact]
    public void Detect_UsesNegativeBinomial_ForABurstyBaseline_AndIsLessAlarmed()
    {
        List<int> bursty = [0, 0, 12, 1, 0, 9, 0, 2, 15, 0, 0, 1, 8, 0, 0, 11, 0, 1, 0, 14, 0, 0, 2, 10, 0, 1, 0, 13];
        var alert = EmergingIssues.Detect([new EmergingCandidate("Category", "x", bursty, 12)]).Single();

        alert.Model.ShouldBe("negative binomial");
        alert.Flagged.ShouldBeFalse(); // 12 would be extraordinary for Poisson(mean 3.6) but this series reached it on 4 of 28 days
        (1 - Poisson.CDF(alert.Expected, 11)).ShouldBeLessThan(0.001);
    }

    [Fact]
    public void Detect_WithNoRealRises_RarelyAlertsAcross100Series()
    {
        var random = new Random(11);
        var falseAlerts = 0;
        for (var day = 0; day < 20; day++)
        {
            var candidates = Enumerable.Range(0, 100).Select(i =>
            {
                var rate = 1 + (i % 20);
                var series = Enumerable.Range(0, 29).Select(_ => Poisson.Sample(random, rate)).ToList();
                return new EmergingCandidate("Category", $"c{i}", series.Take(28).ToList(), series[28]);
            }).ToList();
            falseAlerts += EmergingIssues.Detect(candidates).Count(a => a.Flagged);
        }

        // 2,000 null series: with FDR control at 5 % almost every day should have no alert at all.
        falseAlerts.ShouldBeLessThan(10);
    }

    [Fact]
    public void SeriesUnderTheMinimum_CountAsTestedWithPOne_WhetherPassedOrOnlyCounted()
    {
        var random = new Random(3);
        var all = Enumerable.Range(0, 400).Select(i =>
        {
            var rate = random.NextDouble() * 3;
            var baseline = Enumerable.Range(0, 28).Select(_ => Poisson.Sample(random, rate)).ToList();
            var observed = i % 40 == 0 ? 6 + random.Next(10) : Math.Max(1, Poisson.Sample(random, rate));
            return new EmergingCandidate("Place", $"p{i}", baseline, observed);
        }).ToList();
        var atMinimum = all.Where(c => c.Observed >= EmergingIssues.DefaultMinimumCount).ToList();

        var passed = EmergingIssues.Detect(all).Where(a => a.Observed >= EmergingIssues.DefaultMinimumCount).ToList();
        var counted = EmergingIssues.Detect(atMinimum, belowMinimum: all.Count - atMinimum.Count);

        counted.Select(a => (a.Value, a.PValue, a.QValue, a.Flagged)).ShouldBe(passed.Select(a => (a.Value, a.PValue, a.QValue, a.Flagged)));
        counted.Count(a => a.Flagged).ShouldBeGreaterThan(0);
        EmergingIssues.Detect(all).Where(a => a.Observed < EmergingIssues.DefaultMinimumCount).ShouldAllBe(a => a.PValue == 1 && !a.Flagged);
    }

    [Fact]
    public void NotTestingSeriesUnderTheMinimum_FlagsASubsetOfTestingEverySeries()
    {
        // Testing every series with its own p-value (minimum 0 gives each its real p-value) and then requiring the
        // minimum was the rule before; giving the series under the minimum p = 1 may only take alerts away.
        var random = new Random(17);
        var flagged = 0;
        for (var day = 0; day < 50; day++)
        {
            var all = Enumerable.Range(0, 300).Select(i =>
            {
                var rate = random.NextDouble() * (i % 3 == 0 ? 0.2 : 4);
                var baseline = Enumerable.Range(0, 28).Select(_ => Poisson.Sample(random, rate)).ToList();
                var observed = Math.Max(1, Poisson.Sample(random, rate * (random.Next(30) == 0 ? 6 : 1) + (random.Next(20) == 0 ? 4 : 0)));
                return new EmergingCandidate("Place", $"p{i}", baseline, observed);
            }).ToList();
            var before = EmergingIssues.Detect(all, minimumCount: 0)
                .Where(a => a.QValue <= EmergingIssues.DefaultFalseDiscoveryRate && a.Observed >= EmergingIssues.DefaultMinimumCount && a.Observed > a.Expected)
                .Select(a => a.Value).ToHashSet();
            var now = EmergingIssues.Detect(all).Where(a => a.Flagged).Select(a => a.Value).ToHashSet();

            now.IsSubsetOf(before).ShouldBeTrue();
            flagged += now.Count;
        }

        flagged.ShouldBeGreaterThan(0); // not vacuous: the rule still alerts
    }
}
