using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

public sealed class BenchmarkFactory : CivicDeskFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Dashboards:AggregateWorker", "false"), new("Dashboards:BenchmarkWorker", "false")];
}

/// <summary>
/// Percentile rules: only opted-in organisations count, at least five others must have a score for the month and
/// measure, opting out removes an organisation from peers' views at once, and nothing but ranks comes back.
/// Each test uses a month of its own far in the future, so other tests' organisations never join its peer group.
/// </summary>
public sealed class EngagementBenchmarkTests(BenchmarkFactory factory) : IClassFixture<BenchmarkFactory>
{
    private static int _year = 2400;

    private static DateOnly UniqueMonth() => new(Interlocked.Increment(ref _year), 3, 1);

    private static MonthlyIndex Month(DateOnly month, double? score, double? responsiveness = null) =>
        new(month, "Whole organisation", score,
            EngagementIndex.Components.Select(c => new ComponentScore(c, c.Key == "responsiveness" ? responsiveness ?? score : null, "")).ToList(), 100);

    private async Task<long> OrganisationAsync(DateOnly month, double? score, bool optIn = true, double? responsiveness = null)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var benchmark = scope.ServiceProvider.GetRequiredService<EngagementBenchmark>();
        if (optIn)
        {
            await benchmark.OptInAsync(org.Staff[Roles.Admin].Id, "Admin", [Month(month, score, responsiveness)], CancellationToken.None);
        }
        else
        {
            // Stored scores without consent (as if left behind) must never be read.
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.EngagementScoreSnapshots.Add(new EngagementScoreSnapshot
            {
                OrganisationId = org.Id, Month = month, Score = score, ComponentsJson = EngagementBenchmark.ComponentsJson(Month(month, score)),
                MethodsVersion = EngagementIndex.MethodsVersion, ComputedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        return org.Id;
    }

    private async Task<IReadOnlyList<BenchmarkMonth>> RanksAsync(long organisationId, DateOnly month, double? score, double? responsiveness = null)
    {
        await using var scope = factory.ScopeFor(organisationId);
        return await scope.ServiceProvider.GetRequiredService<EngagementBenchmark>().RanksAsync([Month(month, score, responsiveness)], CancellationToken.None);
    }

    [Theory]
    [InlineData(new double[] { 10, 20, 30, 40 }, 50, null)]
    [InlineData(new double[] { 10, 20, 30, 40, 60 }, 50, 80.0)]
    [InlineData(new double[] { 50, 50, 50, 50, 50 }, 50, 50.0)]
    [InlineData(new double[] { 10, 20, 50, 60, 70, 80 }, 50, 100.0 * 2.5 / 6)]
    [InlineData(new double[] { 60, 70, 80, 90, 95 }, 50, 0.0)]
    public void PercentileRank_IsTheShareBelowWithTiesAsHalf_AndNeedsFivePeers(double[] peers, double own, double? expected)
    {
        var rank = EngagementBenchmark.PercentileRankOf(own, peers);

        if (expected is null)
        {
            rank.ShouldBeNull();
        }
        else
        {
            rank.ShouldNotBeNull().ShouldBe(expected.Value, 1e-9);
        }
    }

    [Fact]
    public async Task FewerThanFiveOptedInPeers_GiveNoRank_AndNonParticipantsNeverCount()
    {
        var month = UniqueMonth();
        var own = await OrganisationAsync(month, 55);
        foreach (var s in new[] { 10.0, 20, 30, 40 })
        {
            await OrganisationAsync(month, s);
        }

        // Two with stored scores but no consent, and one opted-in peer with no score that month.
        await OrganisationAsync(month, 90, optIn: false);
        await OrganisationAsync(month, 95, optIn: false);
        await OrganisationAsync(month, null);

        var ranks = (await RanksAsync(own, month, 55)).Single().Ranks;

        ranks[0].Key.ShouldBe("overall");
        ranks[0].Peers.ShouldBe(4);
        ranks[0].Percentile.ShouldBeNull();
        ranks[0].Text(System.Globalization.CultureInfo.InvariantCulture).ShouldContain("only 4 other opted-in organisation(s) have a score");
    }

    [Fact]
    public async Task FivePeers_GiveARankPerMeasure_AndOptingOutRemovesOneAtOnce()
    {
        var month = UniqueMonth();
        var own = await OrganisationAsync(month, 55, responsiveness: 99);
        var peers = new List<long>();
        foreach (var s in new[] { 10.0, 20, 30, 40, 60 })
        {
            peers.Add(await OrganisationAsync(month, s));
        }

        var before = (await RanksAsync(own, month, 55, responsiveness: 99)).Single().Ranks;
        before[0].Percentile.ShouldBe(80);
        before[0].Peers.ShouldBe(5);
        // Responsiveness: peers' responsiveness equals their score (10…60); 99 beats all five.
        before.Single(r => r.Key == "responsiveness").Percentile.ShouldBe(100);
        // A component nobody measured has no peers and no rank.
        before.Single(r => r.Key == "reach").Percentile.ShouldBeNull();

        await using (var scope = factory.ScopeFor(peers[0]))
        {
            await scope.ServiceProvider.GetRequiredService<EngagementBenchmark>().OptOutAsync(CancellationToken.None);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.EngagementScoreSnapshots.CountAsync()).ShouldBe(0);
            (await db.AuditEvents.AnyAsync(a => a.Action == "benchmark.opted-out")).ShouldBeTrue();
        }

        var after = (await RanksAsync(own, month, 55)).Single().Ranks;
        after[0].Percentile.ShouldBeNull();
        after[0].Peers.ShouldBe(4);
    }

    [Fact]
    public async Task AnOrganisationThatHasNotOptedIn_SeesNoRanks()
    {
        var month = UniqueMonth();
        foreach (var s in new[] { 10.0, 20, 30, 40, 60, 70 })
        {
            await OrganisationAsync(month, s);
        }

        var outsider = await OrganisationAsync(month, 50, optIn: false);

        (await RanksAsync(outsider, month, 50)).ShouldBeEmpty();
    }

    [Fact]
    public async Task RefreshAll_StoresEveryOptedInOrganisationsCurrentMonths()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using (var scope = factory.ScopeFor(org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<EngagementBenchmark>().OptInAsync(null, "Admin", [], CancellationToken.None);
        }

        await BenchmarkWorker.RefreshAllAsync(factory.Services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, CancellationToken.None);

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var rows = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().EngagementScoreSnapshots.ToListAsync();
            rows.Count.ShouldBe(EngagementModel.Months);
            rows.ShouldAllBe(r => r.MethodsVersion == EngagementIndex.MethodsVersion && r.Score == null); // no conversations: no score
        }
    }
}
