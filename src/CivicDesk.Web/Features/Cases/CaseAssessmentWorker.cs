using System.Threading.Channels;
using Channel = System.Threading.Channels.Channel;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace CivicDesk.Web.Features.Cases;

/// <summary>A doorbell rung after cases that asked to be assessed later are committed; many rings before the worker wakes mean one pass.</summary>
public sealed class CaseAssessmentSignal
{
    private readonly Channel<bool> _bell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Ring() => _bell.Writer.TryWrite(true);

    /// <summary>Returns when rung or after <paramref name="timeout"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await _bell.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The timeout: time for the sweep.
        }
    }
}

/// <summary>
/// Runs the <see cref="ICaseAssessmentStep"/>s (duplicate candidates, expected-by) for cases created with
/// <see cref="NewCase.AssessLater"/>: claims a batch of due cases (<see cref="Case.AssessmentDueAt"/>, moved out by a
/// lease so another node skips them, and takes them over only if this one dies), assesses the batch per organisation
/// reading the other cases once, and writes the results and clears the mark set-based, in one transaction. Woken by <see cref="CaseAssessmentSignal"/>
/// after each committed batch of creates (then waiting <see cref="CasesOptions.AssessmentGatherMilliseconds"/> so a
/// burst is assessed in few passes), and every <see cref="CasesOptions.AssessmentSweepSeconds"/> for the rest.
/// </summary>
public sealed class CaseAssessmentWorker(
    IServiceScopeFactory scopes,
    CaseAssessmentSignal signal,
    IOptions<CasesOptions> options,
    TimeProvider clock,
    ILogger<CaseAssessmentWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await AssessDueAsync(stoppingToken) >= options.Value.MaxAssessmentBatch)
                {
                    // A full batch: more may be waiting.
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bad pass (database briefly unavailable) must not stop assessments: the leases expire and the cases come round again.
                logger.LogError(e, "Assessing new cases failed");
            }

            await signal.WaitAsync(TimeSpan.FromSeconds(options.Value.AssessmentSweepSeconds), stoppingToken);
            // Let a burst gather first: each pass reads the organisation's open cases once, so a pass per create batch
            // (every few milliseconds under load) would spend a core re-reading them; a pass per gathering does not.
            await Task.Delay(TimeSpan.FromMilliseconds(options.Value.AssessmentGatherMilliseconds), clock, stoppingToken);
        }
    }

    /// <summary>Assesses one batch of due cases; returns how many were claimed.</summary>
    public async Task<int> AssessDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        IReadOnlyList<long> claimed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            // A read first, which takes no write lock: most passes find nothing.
            if (!await db.Cases.IgnoreQueryFilters().AnyAsync(c => c.AssessmentDueAt != null && c.AssessmentDueAt <= now, ct))
            {
                return 0;
            }

            claimed = await RowClaims.ClaimAsync(db, "\"Cases\"", "\"AssessmentDueAt\" = @lease",
                """ "AssessmentDueAt" IS NOT NULL AND "AssessmentDueAt" <= @now ORDER BY "AssessmentDueAt" LIMIT @batch """,
                new { lease = now.AddSeconds(o.AssessmentLeaseSeconds), now, batch = o.MaxAssessmentBatch }, ct);
            if (claimed.Count == 0)
            {
                return 0;
            }

            var byOrganisation = await db.Cases.IgnoreQueryFilters().AsNoTracking().Where(c => claimed.Contains(c.Id))
                .Select(c => new { c.Id, c.OrganisationId }).ToListAsync(ct);
            foreach (var group in byOrganisation.GroupBy(c => c.OrganisationId))
            {
                await AssessAsync(group.Key, [.. group.Select(c => c.Id)], ct);
            }
        }

        return claimed.Count;
    }

    private async Task AssessAsync(long organisationId, IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(organisationId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        // Not tracked: the results go back set-based (WriteResultsAsync), not through EF's change tracking of up to
        // MaxAssessmentBatch cases, which was most of the worker's own cost after the reads (bench/README.md, session 15).
        var cases = await db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
        var before = cases.ToDictionary(c => c.Id, c => (c.ExpectedBy, c.ExpectedByBasis));
        foreach (var step in scope.ServiceProvider.GetServices<ICaseAssessmentStep>())
        {
            await step.RunAsync(cases, ct);
        }

        // Under the audit gate like every other write, so it queues behind creates instead of meeting SQLite's busy wait.
        await using (var tx = await db.BeginWriteTransactionAsync(ct))
        {
            // Only what a step changed is written (a concurrent re-estimate after a team change is not undone with the
            // value read here), and the mark is cleared on every case of the batch.
            await WriteResultsAsync(db, [.. cases.Select(c => new Result(c.Id, before[c.Id] != (c.ExpectedBy, c.ExpectedByBasis), Utc(c.ExpectedBy), c.ExpectedByBasis))], ct);
            // The duplicate candidates the finder added to the context, set-based too; anything else a step added is saved by EF.
            var candidates = db.ChangeTracker.Entries<CaseDuplicateCandidate>().Where(e => e.State == EntityState.Added).ToList();
            if (candidates.Count > 0)
            {
                using var writer = new EntityWriter<CaseDuplicateCandidate>(db.Model, db.Provider, databaseIds: true);
                await writer.WriteAsync(db.Database.GetDbConnection(), db.Database.CurrentTransaction!.GetDbTransaction(), [.. candidates.Select(e => e.Entity)], ct);
                candidates.ForEach(e => e.State = EntityState.Detached);
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        // Written without a tracked save: drop the public map as a save of the cases would have (PublicPageEviction).
        if (scope.ServiceProvider.GetService<PublicPageEviction>() is { } eviction)
        {
            await eviction.MapChangedAsync();
        }
    }

    private sealed record Result(long Id, bool Changed, DateTime? ExpectedBy, string? Basis);

    // As the model's converter stores instants (CivicDeskDb: UTC).
    private static DateTime? Utc(DateTime? value) => value is { Kind: not DateTimeKind.Utc } v ? v.ToUniversalTime() : value;

    /// <summary>
    /// ExpectedBy and its basis where changed, and the assessment mark cleared, in one statement: SQLite, one UPDATE
    /// prepared once and run per case (in-process, bound by position: <see cref="SqliteRowWriter"/>); PostgreSQL, one
    /// UPDATE over arrays, a single round trip for the batch.
    /// </summary>
    private static async Task WriteResultsAsync(CivicDeskDb db, IReadOnlyList<Result> results, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            using var update = SqliteRowWriter.Prepare(connection, """
                UPDATE "Cases" SET
                    "ExpectedBy" = CASE WHEN ?1 THEN ?2 ELSE "ExpectedBy" END,
                    "ExpectedByBasis" = CASE WHEN ?1 THEN ?3 ELSE "ExpectedByBasis" END,
                    "AssessmentDueAt" = NULL
                WHERE "Id" = ?4
                """);
            foreach (var r in results)
            {
                update.Execute([r.Changed, r.ExpectedBy, r.Basis, r.Id]);
            }

            return;
        }

        await using var command = new NpgsqlCommand("""
            UPDATE "Cases" AS c SET
                "ExpectedBy" = CASE WHEN u.changed THEN u.expected ELSE c."ExpectedBy" END,
                "ExpectedByBasis" = CASE WHEN u.changed THEN u.basis ELSE c."ExpectedByBasis" END,
                "AssessmentDueAt" = NULL
            FROM unnest(@ids, @changed, @expected, @basis) AS u(id, changed, expected, basis)
            WHERE c."Id" = u.id
            """, (NpgsqlConnection)connection, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = results.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("changed", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = results.Select(r => r.Changed).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("expected", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = results.Select(r => r.ExpectedBy).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("basis", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = results.Select(r => r.Basis).ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }
}
