using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Runtime.CompilerServices;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CivicDesk.Web.Platform;

public sealed class ReferenceDataOptions
{
    public const string Section = "ReferenceData";

    /// <summary>
    /// How long a node keeps an organisation's services, teams and Open311 service definitions before reading them
    /// again. A save on this node drops them at once; this is how late a change saved on another node can be seen
    /// here (docs/deployment.md). 0 reads them on every call.
    /// </summary>
    [Range(0, 3600)] public int CacheSeconds { get; set; } = 10;
}

/// <summary>
/// The small, rarely changed tables every Open311 <c>POST requests</c> and every new case read (the organisation's
/// case services, its teams and default team, the Open311 service definitions), kept in memory per node so a create
/// does not pay a database round trip and EF Core's per-query cost for each (issue 13: ~6 queries a call).
/// <see cref="ReferenceDataEviction"/> drops everything as soon as one of those rows is saved on this node; other
/// nodes see the change within <see cref="ReferenceDataOptions.CacheSeconds"/>.
/// </summary>
public sealed class ReferenceData(IMemoryCache cache, IOptions<ReferenceDataOptions> options) : IDisposable
{
    private CancellationTokenSource _changed = new();

    /// <summary>The entity types whose saves make cached reference data stale.</summary>
    public static bool IsReferenceData(object entity) => entity is CaseService or Team or Open311ServiceAttribute;

    /// <summary>The cached value for <paramref name="key"/>, or a freshly loaded one (kept for the configured seconds).</summary>
    public async Task<T> GetAsync<T>(string key, Func<CancellationToken, Task<T>> load, CancellationToken ct) where T : class
    {
        var seconds = options.Value.CacheSeconds;
        if (seconds == 0)
        {
            return await load(ct);
        }

        if (cache.TryGetValue(("reference-data", key), out T? hit) && hit is not null)
        {
            return hit;
        }

        // Taken before loading: a change saved while this load runs cancels it, so a value read before the change is
        // dropped at once instead of outliving it.
        var token = new CancellationChangeToken(Volatile.Read(ref _changed).Token);
        var value = await load(ct);
        using var entry = cache.CreateEntry(("reference-data", key));
        entry.Value = value;
        entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds);
        entry.Size = 1;
        entry.AddExpirationToken(token);
        return value;
    }

    /// <summary>A service, team or service definition was saved: drop every cached value on this node.</summary>
    public void Changed()
    {
        var old = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        // Not disposed: a reader may be taking its token this instant (a source with no timer holds nothing to free).
        old.Cancel();
    }

    public void Dispose() => _changed.Dispose();
}

/// <summary>
/// Drops <see cref="ReferenceData"/> when a context saves a service, team or service definition: right after the save,
/// and again when the transaction holding it commits (a value read between the save and the commit would otherwise
/// be the old one, kept for the cache's lifetime).
/// </summary>
public sealed class ReferenceDataEviction(ReferenceData data) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private sealed class Dirty;

    private static readonly ConditionalWeakTable<DbContext, Dirty> Pending = [];

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

        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && ReferenceData.IsReferenceData(entry.Entity))
            {
                Pending.AddOrUpdate(context, new Dirty());
                return;
            }
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !Pending.TryGetValue(context, out _))
        {
            return;
        }

        data.Changed();
        if (context.Database.CurrentTransaction is null)
        {
            Pending.Remove(context);
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && Pending.TryGetValue(context, out _))
        {
            Pending.Remove(context);
            data.Changed();
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
