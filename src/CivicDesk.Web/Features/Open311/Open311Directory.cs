using System.Collections.Concurrent;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Open311;

/// <summary>A jurisdiction as the endpoints need it.</summary>
public sealed record Open311Tenant(long OrganisationId, string JurisdictionId, bool AnswerWithToken, string Contact, TimeZoneInfo TimeZone);

/// <summary>A client key that checked out.</summary>
public sealed record Open311Caller(long ClientId, long OrganisationId, string Name, string JurisdictionId, string Scopes = "")
{
    public bool HasScope(string scope) => IntegrationScopes.Has(Scopes, scope);
}

/// <summary>
/// Finds jurisdictions and checks client keys without a query per call (found ones are cached for
/// <see cref="Open311Options.KeyCacheSeconds"/>; revoking a key evicts it here at once). Misses are never cached and
/// both caches are bounded: otherwise anyone could fill memory with made-up jurisdiction ids or keys, or push the real
/// ones out.
/// </summary>
public sealed class Open311Directory(IServiceScopeFactory scopes, TimeProvider clock, IOptions<Open311Options> options, ILogger<Open311Directory> logger)
{
    private const int MaxCached = 10_000;
    /// <summary>An instance serves a handful of jurisdictions; the bound only matters under abuse.</summary>
    internal const int MaxCachedTenants = 256;
    private readonly ConcurrentDictionary<string, (Open311Caller? Caller, DateTimeOffset Expires)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Open311Tenant? Tenant, DateTimeOffset Expires)> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, DateTimeOffset> _lastUseWritten = new();

    /// <summary>
    /// The tenant named by <paramref name="jurisdictionId"/>; when it is absent, the only jurisdiction if there is exactly
    /// one (GeoReport v2: jurisdiction_id is only required where an endpoint serves several).
    /// </summary>
    public async ValueTask<(Open311Tenant? Tenant, bool Ambiguous)> FindTenantAsync(string? jurisdictionId, CancellationToken ct)
    {
        var key = jurisdictionId ?? "";
        var now = clock.GetUtcNow();
        if (_tenants.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return (cached.Tenant, false);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var query = db.Open311Jurisdictions.IgnoreQueryFilters().AsNoTracking();
        var rows = await (jurisdictionId is null ? query.Take(2) : query.Where(j => j.JurisdictionId == jurisdictionId))
            .Join(db.Organisations, j => j.OrganisationId, o => o.Id, (j, o) => new { j.OrganisationId, j.JurisdictionId, j.AnswerWithToken, j.Contact, o.TimeZoneId, o.Name })
            .ToListAsync(ct);
        if (jurisdictionId is null && rows.Count > 1)
        {
            return (null, true);
        }

        var tenant = rows.Count == 1
            ? new Open311Tenant(rows[0].OrganisationId, rows[0].JurisdictionId, rows[0].AnswerWithToken,
                rows[0].Contact.Length > 0 ? rows[0].Contact : rows[0].Name, Zone(rows[0].TimeZoneId))
            : null;
        if (tenant is not null)
        {
            if (_tenants.Count >= MaxCachedTenants)
            {
                _tenants.Clear();
            }

            _tenants[key] = (tenant, now.AddSeconds(options.Value.KeyCacheSeconds));
        }

        return (tenant, false);
    }

    /// <summary>The client whose key this is, if enabled; null otherwise.</summary>
    public async ValueTask<Open311Caller?> FindCallerAsync(string apiKey, CancellationToken ct)
    {
        var hash = ApiKeys.Hash(apiKey);
        var now = clock.GetUtcNow();
        if (!_keys.TryGetValue(hash, out var cached) || cached.Expires <= now)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var caller = await db.Open311Clients.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.KeyHash == hash && c.IsEnabled && c.RevokedAt == null)
                .Select(c => new Open311Caller(c.Id, c.OrganisationId, c.Name, c.JurisdictionId, c.Scopes))
                .FirstOrDefaultAsync(ct);
            if (_keys.Count >= MaxCached)
            {
                _keys.Clear();
            }

            cached = (caller, now.AddSeconds(options.Value.KeyCacheSeconds));
            if (caller is not null)
            {
                _keys[hash] = cached;
            }
        }

        if (cached.Caller is { } found)
        {
            await NoteUseAsync(found.ClientId, now, ct);
        }

        return cached.Caller;
    }

    /// <summary>How many jurisdictions are cached (for tests of the bound).</summary>
    internal int CachedTenantCount => _tenants.Count;

    /// <summary>Forgets cached keys and jurisdictions after an admin change, so a revoked key stops working at once.</summary>
    public void Forget()
    {
        _keys.Clear();
        _tenants.Clear();
    }

    /// <summary>"Last used" is written at most once a minute per client: it is for admins, not an access log.</summary>
    private async Task NoteUseAsync(long clientId, DateTimeOffset now, CancellationToken ct)
    {
        if (_lastUseWritten.TryGetValue(clientId, out var last) && now - last < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastUseWritten[clientId] = now;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var at = now.UtcDateTime;
            await db.Open311Clients.IgnoreQueryFilters().Where(c => c.Id == clientId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, at), ct);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            logger.LogWarning(e, "Could not record the last use of Open311 client {ClientId}", clientId);
        }
    }

    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
