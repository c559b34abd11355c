using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Sla;

/// <summary>One case as the expected-by estimate reads it: its team, service, arrival and close.</summary>
public sealed record EtaRow(long Id, long? TeamId, string ServiceCode, DateTime CreatedAt, DateTime? ClosedAt);

/// <summary>
/// The estimator's history per organisation, kept on this node between assessment passes: every case not marked a
/// duplicate that is open or closed since the window's start. Session 12's profile found the Open311 assessment
/// re-reading all of it on every pass (36,884 rows, 0.8 s cold, on the 1,000,000-message seed), however few cases the
/// pass held. Now a pass reads only the cases added since the last (by id, on the primary key) and the whole history
/// only when it is older than <see cref="EtaOptions.HistoryRefreshSeconds"/> or when a case's team, service, status or
/// times were saved on this node (<see cref="EtaHistoryEviction"/>). A change saved on another node is seen within
/// the refresh; so is a case another node's transaction committed after a higher id was read (PostgreSQL hands out
/// ids before commit; SQLite's single writer commits in id order).
/// </summary>
public sealed class EtaHistoryCache(IOptions<EtaOptions> options, TimeProvider clock) : IDisposable
{
    private sealed class Entry : IDisposable
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Version;
        public int LoadedVersion = -1;
        public Dictionary<long, EtaRow> Rows = [];
        public long MaxId;
        public DateTime Since;
        public long LoadedAt;

        public void Dispose() => Gate.Dispose();
    }

    private readonly ConcurrentDictionary<long, Entry> _organisations = new();

    /// <summary>A case of <paramref name="organisationId"/> changed in a way the history shows: read it all again next time.</summary>
    public void Evict(long organisationId)
    {
        if (_organisations.TryGetValue(organisationId, out var entry))
        {
            Interlocked.Increment(ref entry.Version);
        }
    }

    /// <summary>
    /// The organisation's history: cases not marked duplicates, open or closed at or after <paramref name="since"/>,
    /// read through <paramref name="db"/> (whose filters are set to <paramref name="organisationId"/>). Reads fresh,
    /// and keeps nothing, inside a transaction: rows it could see there may yet be rolled back.
    /// </summary>
    public async Task<IReadOnlyList<EtaRow>> RowsAsync(CivicDeskDb db, long organisationId, DateTime since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (options.Value.HistoryRefreshSeconds == 0 || db.Database.CurrentTransaction is not null)
        {
            return await ReadAsync(db, since, afterId: 0, ct);
        }

        var entry = _organisations.GetOrAdd(organisationId, _ => new Entry());
        await entry.Gate.WaitAsync(ct);
        try
        {
            // Taken before reading: an eviction while the read runs makes the next call read again.
            var version = Volatile.Read(ref entry.Version);
            if (entry.LoadedVersion != version || since < entry.Since
                || clock.GetElapsedTime(entry.LoadedAt) >= TimeSpan.FromSeconds(options.Value.HistoryRefreshSeconds))
            {
                var loadedAt = clock.GetTimestamp();
                var rows = await ReadAsync(db, since, afterId: 0, ct);
                entry.Rows = rows.ToDictionary(r => r.Id);
                entry.MaxId = rows.Count == 0 ? 0 : rows.Max(r => r.Id);
                entry.Since = since;
                entry.LoadedAt = loadedAt;
                entry.LoadedVersion = version;
            }
            else
            {
                foreach (var row in await ReadAsync(db, entry.Since, entry.MaxId, ct))
                {
                    entry.Rows[row.Id] = row;
                    entry.MaxId = Math.Max(entry.MaxId, row.Id);
                }
            }

            // In id order, as a fresh read gives them, so ties in arrival time fall the same way (EtaHistory.WithQueues).
            return [.. entry.Rows.Values.Where(r => r.ClosedAt is null || r.ClosedAt >= since).OrderBy(r => r.Id)];
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var entry in _organisations.Values)
        {
            entry.Dispose();
        }
    }

    private static async Task<List<EtaRow>> ReadAsync(CivicDeskDb db, DateTime since, long afterId, CancellationToken ct) =>
        await db.Cases.AsNoTracking()
            .Where(x => x.Id > afterId && x.Status != CaseStatus.Duplicate && (x.ClosedAt == null || x.ClosedAt >= since))
            .OrderBy(x => x.Id)
            .Select(x => new EtaRow(x.Id, x.TeamId, x.ServiceCode, x.CreatedAt, x.ClosedAt))
            .ToListAsync(ct);
}

/// <summary>
/// Tells <see cref="EtaHistoryCache"/> when a saved case changes what the history holds (its team, service, status,
/// arrival or close, or the case is deleted): right after the save, and again when the transaction holding it
/// commits (a history read between the save and the commit would otherwise keep the old rows until the refresh).
/// New cases need no eviction: the next read picks them up by id.
/// </summary>
public sealed class EtaHistoryEviction(EtaHistoryCache cache) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly string[] Watched = [nameof(Case.TeamId), nameof(Case.ServiceCode), nameof(Case.Status), nameof(Case.CreatedAt), nameof(Case.ClosedAt)];
    private static readonly ConditionalWeakTable<DbContext, HashSet<long>> Pending = [];

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static void Note(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        foreach (var entry in context.ChangeTracker.Entries<Case>())
        {
            if (entry.State == EntityState.Deleted
                || (entry.State == EntityState.Modified && Watched.Any(p => entry.Property(p).IsModified)))
            {
                Pending.GetOrCreateValue(context).Add(entry.Entity.OrganisationId);
            }
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !Pending.TryGetValue(context, out var organisations))
        {
            return;
        }

        foreach (var id in organisations)
        {
            cache.Evict(id);
        }

        if (context.Database.CurrentTransaction is null)
        {
            Pending.Remove(context);
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && Pending.TryGetValue(context, out var organisations))
        {
            Pending.Remove(context);
            foreach (var id in organisations)
            {
                cache.Evict(id);
            }
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null)
        {
            Pending.Remove(context);
        }
    }
}
