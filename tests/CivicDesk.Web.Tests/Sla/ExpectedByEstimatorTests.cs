using CivicDesk.Web.Features.Sla;

namespace CivicDesk.Web.Tests.Sla;

public sealed class ExpectedByEstimatorTests
{
    private static readonly BusinessCalendar Calendar = new(TimeZoneInfo.FindSystemTimeZoneById("Europe/London"),
        WorkingWeek.Parse(WorkingWeek.Default), BankHolidays.DatesFor(BankHolidays.EnglandAndWales));

    // Monday 23 November 2026, 10:00 GMT.
    private static readonly DateTime Now = new(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);

    private static EtaRequest Request(IReadOnlyList<EtaCase> history, int ahead = 0, string service = "potholes", TimeSpan? target = null) =>
        new(Now, 1, service, "pothole", ahead, history, target);

    /// <summary>Cases of team 1 that each took <paramref name="hours"/> working hours, closing on successive days before now.</summary>
    private static List<EtaCase> Closed(int count, double hours, string service = "potholes", long team = 1)
    {
        var list = new List<EtaCase>();
        for (var i = 0; i < count; i++)
        {
            var closed = Calendar.AddBusinessTime(Now.AddDays(-1 - (i % 40)), TimeSpan.Zero);
            var created = Now.AddDays(-1 - (i % 40));
            // Walk back in working time so the case took exactly `hours`.
            var start = created;
            while (Calendar.BusinessTimeBetween(start, closed) < TimeSpan.FromHours(hours))
            {
                start = start.AddMinutes(-30);
            }

            list.Add(new EtaCase(team, service, start, closed));
        }

        return list;
    }

    private static readonly ExpectedByEstimator Estimator = new(new EtaOptions());

    [Fact]
    public void EmptyHistory_FallsBackToTheSlaTarget_AndSaysSo()
    {
        var estimate = Estimator.Estimate(Request([], target: TimeSpan.FromHours(16)), Calendar);
        estimate.Scope.ShouldBe(EtaScope.Target);
        estimate.ExpectedBy.ShouldBe(new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc));
        estimate.Basis.ShouldContain("too few cases closed in the last 8 weeks (0)");
        estimate.Basis.ShouldContain("team's resolution target: 2 working days");
    }

    [Fact]
    public void EmptyHistory_AndNoTarget_UsesTheDefault() =>
        Estimator.Estimate(Request([]), Calendar).Basis.ShouldContain("default resolution time: 5 working days");

    [Fact]
    public void ServiceHistory_UsesTheQuantileOfThatService()
    {
        var history = Closed(10, 8);          // every pothole took one working day
        history.AddRange(Closed(10, 40, "graffiti"));
        var estimate = Estimator.Estimate(Request(history), Calendar);
        estimate.Scope.ShouldBe(EtaScope.Service);
        estimate.Samples.ShouldBe(10);
        estimate.Typical.TotalHours.ShouldBe(8, 0.01);
        estimate.ExpectedBy.ShouldBe(new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc));
        estimate.Basis.ShouldStartWith("70th percentile of 10 pothole cases closed in the last 8 weeks");
    }

    [Fact]
    public void FewServiceCases_FallBackToTheTeam_ThenTheOrganisation()
    {
        var teamHistory = Closed(3, 8);
        teamHistory.AddRange(Closed(10, 16, "drains"));
        var team = Estimator.Estimate(Request(teamHistory), Calendar);
        team.Scope.ShouldBe(EtaScope.Team);
        team.Basis.ShouldContain("too few pothole cases");

        var otherTeam = Closed(10, 24, "bins", team: 2);
        var organisation = Estimator.Estimate(Request(otherTeam), Calendar);
        organisation.Scope.ShouldBe(EtaScope.Organisation);
        organisation.Basis.ShouldContain("across the organisation");
    }

    [Fact]
    public void LongerQueue_PushesTheDateLater()
    {
        var history = Closed(40, 8);
        var empty = Estimator.Estimate(Request(history, ahead: 0), Calendar);
        var queued = Estimator.Estimate(Request(history, ahead: 30), Calendar);
        queued.ExpectedBy.ShouldBeGreaterThan(empty.ExpectedBy);
        queued.Queue.ShouldBeGreaterThan(TimeSpan.Zero);
        queued.Basis.ShouldContain("30 cases ahead at");
        empty.Basis.ShouldContain("no cases ahead");
    }

    [Fact]
    public void QueueAdjusted_TakesOutTheQueuePastCasesWaitedIn()
    {
        // Same resolution times, but these cases each waited behind 10 others: their own work was shorter.
        var plain = Closed(20, 24);
        var queued = plain.Select(c => c with { AheadAtArrival = 10 }).ToList();
        var a = Estimator.Estimate(Request(plain), Calendar);
        var b = Estimator.Estimate(Request(queued), Calendar);
        b.Typical.ShouldBeLessThan(a.Typical);
        new ExpectedByEstimator(new EtaOptions { Method = EtaMethod.QuantilePlusQueue }).Estimate(Request(queued), Calendar).Typical.ShouldBe(a.Typical);
    }

    [Fact]
    public void ClosedCasesOutsideTheWindow_AreIgnored()
    {
        var old = Closed(20, 8).Select(c => c with { CreatedAt = c.CreatedAt.AddDays(-120), ClosedAt = c.ClosedAt!.Value.AddDays(-120) }).ToList();
        Estimator.Estimate(Request(old), Calendar).Scope.ShouldBe(EtaScope.Target);
    }

    [Fact]
    public void WithQueues_CountsTeamCasesOpenAtEachArrival()
    {
        var t0 = Now;
        var cases = EtaHistory.WithQueues(
        [
            new EtaCase(1, "a", t0, t0.AddHours(5)),
            new EtaCase(1, "a", t0.AddHours(1), t0.AddHours(2)),
            new EtaCase(2, "b", t0.AddHours(1.5), null),
            new EtaCase(1, "a", t0.AddHours(3), null),
        ]);
        cases.Single(c => c.CreatedAt == t0.AddHours(1)).AheadAtArrival.ShouldBe(1);
        cases.Single(c => c.CreatedAt == t0.AddHours(3)).AheadAtArrival.ShouldBe(1);   // the second closed at +2
        cases.Single(c => c.TeamId == 2).AheadAtArrival.ShouldBe(0);
    }

    [Theory]
    [InlineData(0.5, 2.5)]
    [InlineData(0.7, 3.1)]
    [InlineData(1.0, 4)]
    public void Quantile_InterpolatesBetweenRanks(double q, double expected) =>
        ExpectedByEstimator.Quantile([1, 2, 3, 4], q).ShouldBe(expected, 0.0001);

    [Fact]
    public void Backtest_OnASyntheticStream_ScoresEveryMethod_AndIsRepeatable()
    {
        var random = new Random(3);
        var arrivals = Enumerable.Range(0, 900)
            .Select(i => new EtaArrival(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(i * 5 + random.Next(0, 4)),
                i % 3 == 0 ? "flytipping" : "highways_road_surface"))
            .ToList();
        var options = new EtaOptions();
        var first = EtaBacktest.Run(arrivals, Calendar, options, seed: 1);
        var second = EtaBacktest.Run(arrivals, Calendar, options, seed: 1);
        first.ShouldBeEquivalentTo(second);
        first.Scored.ShouldBeGreaterThan(500);
        first.Methods.Count.ShouldBe(5);
        var ours = first.Methods[^1];
        ours.ResolvedByExpectedShare.ShouldBeInRange(0.5, 0.95);
        ours.MedianAbsoluteErrorHours.ShouldBeGreaterThan(0);
    }
}
