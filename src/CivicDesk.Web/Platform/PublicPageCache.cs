using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using CivicDesk.Web.Domain;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CivicDesk.Web.Platform;

/// <summary>
/// How long a citizen page that looks the same to every anonymous visitor (<c>/</c>, <c>/map</c>, the incident list)
/// may be served from memory. During an incident these pages take the surge: a cached answer costs about what
/// <c>/health</c> costs, where rendering one costs a database round trip and a Razor layout.
/// </summary>
public sealed class PublicPageCacheOptions
{
    public const string Section = "PublicPages";

    /// <summary>
    /// Seconds a rendered page is reused (0 turns caching off). Short on purpose: each node caches in its own memory,
    /// so this is also how stale another node's copy can be after a change made on this one.
    /// </summary>
    [Range(0, 300)]
    public int CacheSeconds { get; set; } = 5;
}

/// <summary>
/// The output-cache policy for anonymous citizen pages, and its eviction. What it never does: cache a signed-in
/// user's page (staff see their own view), a response that sets a cookie, anything but a 200 to a GET or HEAD (the
/// framework's default rules, kept), or a form page (antiforgery tokens differ per visitor; <c>/report</c> is not
/// cached). Rate limits still count every request: the cache middleware runs after the rate limiter.
/// </summary>
public static class PublicPageCache
{
    /// <summary>The policy name for <c>[OutputCache(PolicyName = PublicPageCache.Policy)]</c>.</summary>
    public const string Policy = "public-page";

    /// <summary>Every cached citizen page carries this tag, so one eviction refreshes them all.</summary>
    public const string Tag = "public-pages";

    /// <summary>The public map of reported problems also carries this one: a case change refreshes the map alone.</summary>
    public const string MapTag = "public-map";

    public static IServiceCollection AddPublicPageCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PublicPageCacheOptions>().BindConfiguration(PublicPageCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var seconds = configuration.GetSection(PublicPageCacheOptions.Section).Get<PublicPageCacheOptions>()?.CacheSeconds ?? new PublicPageCacheOptions().CacheSeconds;
        services.AddOutputCache(o =>
        {
            // Bounded: one entry per page and per value of the query keys a page names (for instance /map?service=),
            // so made-up query strings cannot grow it.
            o.SizeLimit = 64 * 1024 * 1024;
            o.AddPolicy(Policy, b =>
            {
                b.Tag(Tag).Expire(TimeSpan.FromSeconds(Math.Max(seconds, 1))).SetVaryByQuery([]);
                if (seconds == 0)
                {
                    b.NoCache();
                }
            });
        });
        services.AddMemoryCache();
        services.AddSingleton<PublicContent>();
        services.AddSingleton<PublicPageEviction>();
        return services;
    }

    /// <summary>Adds the eviction interceptor to a context's options (it evicts only where the output cache is registered).</summary>
    public static DbContextOptionsBuilder AddPublicPageEviction(this DbContextOptionsBuilder options, IServiceProvider services) =>
        services.GetService<PublicPageEviction>() is { } eviction ? options.AddInterceptors(eviction) : options;
}

/// <summary>
/// Drops this node's cached citizen pages as soon as what they show has changed and been saved: the organisation
/// (its name, its emergency advice) or an incident (the banner on every page, the incident list) drops every page;
/// a case added, changed or removed drops the public map alone, so a citizen sees their report on the map at once
/// and a case made non-public or restricted (UK GDPR article 18) leaves it at once. That costs one map render per
/// case change (about a millisecond; cases arrive at tens a second even in a surge, Open311's POST tops out near
/// 50/s), and renders are coalesced by the cache. Messages never evict: they change thousands of times a second in
/// a surge and no cached page shows them.
/// </summary>
public sealed class PublicPageEviction(IOutputCacheStore store, PublicContent content, ILogger<PublicPageEviction> logger) : SaveChangesInterceptor
{
    /// <summary>What a context's pending save will make stale: everything, or only the map.</summary>
    private sealed class Stale
    {
        public bool Everything;
        public bool Map;
    }

    private static readonly ConditionalWeakTable<DbContext, Stale> Pending = [];

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

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await EvictIfPendingAsync(eventData.Context);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        EvictIfPendingAsync(eventData.Context).AsTask().GetAwaiter().GetResult();
        return result;
    }

    /// <summary>For cases written without a tracked save (grouped creates, set-based): drops the public map, as a save of them would.</summary>
    public ValueTask MapChangedAsync() => store.EvictByTagAsync(PublicPageCache.MapTag, CancellationToken.None);

    private static void Note(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var stale = new Stale();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            stale.Everything |= ShownEverywhere(entry);
            stale.Map |= entry.Entity is Case && entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted;
            if (stale.Everything)
            {
                break;
            }
        }

        if (stale.Everything || stale.Map)
        {
            Pending.AddOrUpdate(context, stale);
        }
    }

    private static bool ShownEverywhere(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry) =>
        entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && entry.Entity is Organisation or Incident or IncidentUpdate;

    private async ValueTask EvictIfPendingAsync(DbContext? context)
    {
        if (context is null || !Pending.TryGetValue(context, out var stale))
        {
            return;
        }

        Pending.Remove(context);
        // Never with the request's token: a visitor who went away must not leave other visitors a stale page.
        if (stale.Everything)
        {
            content.Changed();
            await store.EvictByTagAsync(PublicPageCache.Tag, CancellationToken.None);
        }
        else
        {
            await store.EvictByTagAsync(PublicPageCache.MapTag, CancellationToken.None);
        }
        logger.LogDebug("Cached citizen pages evicted after a change to what they all show");
    }
}

/// <summary>
/// What every citizen page looks up before it renders (the public organisation, the active incidents' banners), kept
/// in memory for the same few seconds as cached pages and dropped with them by <see cref="PublicPageEviction"/>. The
/// pages that cannot be cached whole (the report form, with its per-visitor token) then cost one render, not two
/// database round trips more.
/// </summary>
public sealed class PublicContent(IMemoryCache cache, IOptions<PublicPageCacheOptions> options) : IDisposable
{
    private CancellationTokenSource _changed = new();

    /// <summary>The cached value for <paramref name="key"/>, or a fresh one; null answers are never kept (a missing organisation may be created any moment).</summary>
    public async Task<T?> GetAsync<T>(string key, Func<CancellationToken, Task<T?>> load, CancellationToken ct) where T : class
    {
        var seconds = options.Value.CacheSeconds;
        if (seconds == 0)
        {
            return await load(ct);
        }

        if (cache.TryGetValue(key, out T? hit) && hit is not null)
        {
            return hit;
        }

        // Taken before loading: a change saved while this load runs cancels it, so the value may be dropped at once
        // but never outlives the change.
        var token = new CancellationChangeToken(Volatile.Read(ref _changed).Token);
        var value = await load(ct);
        if (value is not null)
        {
            using var entry = cache.CreateEntry(key);
            entry.Value = value;
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds);
            entry.Size = 1;
            entry.AddExpirationToken(token);
        }

        return value;
    }

    /// <summary>Something every citizen page shows was saved: drop every cached lookup.</summary>
    public void Changed()
    {
        var old = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        // Not disposed: a reader may be taking its token this instant (a source with no timer holds nothing to free).
        old.Cancel();
    }

    public void Dispose() => _changed.Dispose();
}
