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
        var alert = EmergingIssues.Detect([new EmergingCandidate("Category", "x", bursty, 16)]).Single();

        alert.Model.ShouldBe("negative binomial");
        alert.Flagged.ShouldBeFalse(); // 16 is unusual for Poisson(mean 3.6) but not for this series
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
}
