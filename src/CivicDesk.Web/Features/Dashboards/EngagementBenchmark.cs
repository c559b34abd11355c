using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Sla;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>Where the organisation stands on one measure among opted-in peers: a percentile rank, or why there is none.</summary>
public sealed record PercentileRank(string Key, string Name, double? Own, double? Percentile, int Peers)
{
    /// <summary>"62 (among 8 others)", or the reason there is no rank.</summary>
    public string Text(System.Globalization.CultureInfo culture) =>
        Percentile is { } p ? $"{p.ToString("N0", culture)} (among {Peers} others)"
        : Own is null ? "no score of your own this month"
        : $"only {Peers} other opted-in organisation(s) have a score (at least {EngagementBenchmark.MinimumPeers} needed)";
}

public sealed record BenchmarkMonth(DateOnly Month, IReadOnlyList<PercentileRank> Ranks);

/// <summary>
/// Benchmarking among organisations on this instance. Only opted-in organisations are compared, only their stored
/// monthly scores are read (never their names or raw counts), and a rank is shown only when at least
/// <see cref="MinimumPeers"/> other opted-in organisations have a score for that month and measure.
/// Percentile rank = 100 × (peers below + ½ × peers equal) ÷ peers.
/// </summary>
public sealed class EngagementBenchmark(CivicDeskDb db, AuditLog audit, TimeProvider time)
{
    public const int MinimumPeers = 5;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<BenchmarkOptIn?> OptInAsync(CancellationToken ct) => db.BenchmarkOptIns.AsNoTracking().SingleOrDefaultAsync(ct);

    /// <summary>Opts in (idempotent) and stores the months given as this organisation's current scores.</summary>
    public async Task OptInAsync(string? staffId, string staffName, IReadOnlyList<MonthlyIndex> months, CancellationToken ct)
    {
        var organisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation.");
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        if (!await db.BenchmarkOptIns.AnyAsync(ct))
        {
            db.BenchmarkOptIns.Add(new BenchmarkOptIn { OrganisationId = organisationId, OptedInAt = time.GetUtcNow().UtcDateTime, OptedInById = staffId, OptedInByName = staffName });
            audit.Record("benchmark.opted-in", "Organisation", organisationId, null, "Engagement Index shared with opted-in organisations on this instance as percentiles");
            await db.SaveChangesAsync(ct);
        }

        await StoreAsync(organisationId, months, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Opts out: the consent and every stored score go in one transaction, so no peer sees them again.</summary>
    public async Task OptOutAsync(CancellationToken ct)
    {
        var organisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation.");
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var removed = await db.BenchmarkOptIns.ExecuteDeleteAsync(ct);
        await db.EngagementScoreSnapshots.ExecuteDeleteAsync(ct);
        if (removed > 0)
        {
            audit.Record("benchmark.opted-out", "Organisation", organisationId, null, "Engagement Index withdrawn from benchmarking");
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Stores the organisation's months if it is opted in (called whenever the organisation's index is computed).</summary>
    public async Task RefreshAsync(IReadOnlyList<MonthlyIndex> months, CancellationToken ct)
    {
        if (db.CurrentOrganisationId is not { } organisationId || !await db.BenchmarkOptIns.AnyAsync(ct))
        {
            return;
        }

        await using var tx = await db.BeginWriteTransactionAsync(ct);
        // Opted out meanwhile: store nothing.
        if (await db.BenchmarkOptIns.AnyAsync(ct))
        {
            await StoreAsync(organisationId, months, ct);
        }

        await tx.CommitAsync(ct);
    }

    private async Task StoreAsync(long organisationId, IReadOnlyList<MonthlyIndex> months, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var keys = months.Select(m => m.Month).ToList();
        var existing = await db.EngagementScoreSnapshots.Where(s => keys.Contains(s.Month)).ToDictionaryAsync(s => s.Month, ct);
        foreach (var m in months)
        {
            if (!existing.TryGetValue(m.Month, out var row))
            {
                row = new EngagementScoreSnapshot { OrganisationId = organisationId, Month = m.Month, ComponentsJson = "{}", MethodsVersion = EngagementIndex.MethodsVersion };
                db.EngagementScoreSnapshots.Add(row);
            }

            row.Score = m.Score;
            row.ComponentsJson = ComponentsJson(m);
            row.Coverage = m.Coverage;
            row.Conversations = m.Conversations;
            row.MethodsVersion = EngagementIndex.MethodsVersion;
            row.ComputedAt = now;
        }

        await db.SaveChangesAsync(ct);
    }

    public static string ComponentsJson(MonthlyIndex m) =>
        JsonSerializer.Serialize(m.Components.ToDictionary(c => c.Component.Key, c => c.Score), Json);

    public static Dictionary<string, double?> ParseComponents(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, double?>>(json, Json) ?? [];

    /// <summary>
    /// This organisation's percentile ranks per month (overall, then each component) among the other opted-in
    /// organisations' stored scores for the same month and methods version. Empty when this organisation is not opted in.
    /// </summary>
    public async Task<IReadOnlyList<BenchmarkMonth>> RanksAsync(IReadOnlyList<MonthlyIndex> own, CancellationToken ct)
    {
        if (db.CurrentOrganisationId is not { } organisationId || !await db.BenchmarkOptIns.AnyAsync(ct))
        {
            return [];
        }

        var months = own.Select(m => m.Month).ToList();
        // Deliberately across organisations: only scores, only of organisations that opted in, never names.
        var peers = await db.EngagementScoreSnapshots.IgnoreQueryFilters().AsNoTracking()
            .Where(s => months.Contains(s.Month) && s.OrganisationId != organisationId && s.MethodsVersion == EngagementIndex.MethodsVersion
                && db.BenchmarkOptIns.IgnoreQueryFilters().Any(o => o.OrganisationId == s.OrganisationId))
            .Select(s => new { s.Month, s.Score, s.ComponentsJson })
            .ToListAsync(ct);
        var byMonth = peers.GroupBy(p => p.Month).ToDictionary(g => g.Key, g => g.Select(p => (p.Score, Components: ParseComponents(p.ComponentsJson))).ToList());
        var result = new List<BenchmarkMonth>();
        foreach (var m in own)
        {
            var these = byMonth.GetValueOrDefault(m.Month) ?? [];
            var ranks = new List<PercentileRank>();
            var overall = these.Where(p => p.Score is not null).Select(p => p.Score!.Value).ToList();
            ranks.Add(Rank("overall", "Engagement Index", m.Score, overall));
            foreach (var c in m.Components)
            {
                var values = these.Select(p => p.Components.GetValueOrDefault(c.Component.Key)).Where(v => v is not null).Select(v => v!.Value).ToList();
                ranks.Add(Rank(c.Component.Key, c.Component.Name, c.Score, values));
            }

            result.Add(new BenchmarkMonth(m.Month, ranks));
        }

        return result;
    }

    private static PercentileRank Rank(string key, string name, double? own, List<double> peers) =>
        new(key, name, own, own is { } o ? PercentileRankOf(o, peers) : null, peers.Count);

    /// <summary>100 × (below + ½ equal) ÷ n among the peers; null with fewer than <see cref="MinimumPeers"/> peers.</summary>
    public static double? PercentileRankOf(double own, IReadOnlyList<double> peers)
    {
        if (peers.Count < MinimumPeers)
        {
            return null;
        }

        var below = peers.Count(p => p < own - 1e-9);
        var equal = peers.Count(p => Math.Abs(p - own) <= 1e-9);
        return 100.0 * (below + (0.5 * equal)) / peers.Count;
    }
}

/// <summary>
/// Keeps opted-in organisations' stored scores fresh, so a peer's percentile does not wait for that organisation to
/// open its own page: every <see cref="DashboardOptions"/>-configured interval, each opted-in organisation's last
/// 12 months are recomputed in a scope of its own.
/// </summary>
public sealed class BenchmarkWorker(IServiceScopeFactory scopes, TimeProvider time, ILogger<BenchmarkWorker> log, IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hours = Math.Max(1, configuration.GetValue("Dashboards:BenchmarkRefreshHours", 6));
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RefreshAllAsync(scopes, time, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Benchmark refresh failed; trying again at the next interval");
                }

                await Task.Delay(TimeSpan.FromHours(hours), time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Recomputes and stores the last 12 months of every opted-in organisation.</summary>
    public static async Task RefreshAllAsync(IServiceScopeFactory scopes, TimeProvider time, CancellationToken ct)
    {
        List<long> organisations;
        await using (var scope = scopes.CreateAsyncScope())
        {
            organisations = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().BenchmarkOptIns.IgnoreQueryFilters().Select(o => o.OrganisationId).ToListAsync(ct);
        }

        foreach (var organisationId in organisations)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(organisationId);
            var zone = (await scope.ServiceProvider.GetRequiredService<SlaClock>().CalendarAsync(ct)).Zone;
            var thisMonth = AggregateTime.LocalDay(time.GetUtcNow().UtcDateTime, zone);
            var months = await scope.ServiceProvider.GetRequiredService<EngagementIndex>().MonthsAsync(thisMonth, EngagementModel.Months, null, IndexScope.Organisation.Name, ct);
            await scope.ServiceProvider.GetRequiredService<EngagementBenchmark>().RefreshAsync(months, ct);
        }
    }
}
