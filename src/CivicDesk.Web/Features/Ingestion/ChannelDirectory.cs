using System.Collections.Concurrent;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>A channel as ingestion sees it.</summary>
public sealed record IngestChannel(long Id, long OrganisationId, ChannelKind Kind, bool IsActive);

/// <summary>
/// Finds channels for ingestion without a query per request: by API key (cached for
/// <see cref="IngestionOptions.ApiKeyCacheSeconds"/>, unknown keys too) and the organisation owning a channel
/// (cached for good: a channel never changes organisation).
/// </summary>
public sealed class ChannelDirectory(IServiceScopeFactory scopes, TimeProvider clock, IOptions<IngestionOptions> options)
{
    // Bounds the key cache against floods of made-up keys; clearing it only costs a query per key.
    private const int MaxCachedKeys = 10_000;
    private readonly ConcurrentDictionary<string, CachedKey> _byKeyHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, long> _organisationOfChannel = new();

    /// <summary>The channel whose ingest key this is, or null when no channel has it.</summary>
    public async ValueTask<IngestChannel?> FindByApiKeyAsync(string apiKey, CancellationToken ct)
    {
        var hash = ApiKeys.Hash(apiKey);
        var now = clock.GetUtcNow();
        if (_byKeyHash.TryGetValue(hash, out var cached) && cached.Expires > now)
        {
            return cached.Channel;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        // No organisation is known before the key is checked: the key decides it.
        var channel = await db.Channels.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.ApiKeyHash == hash)
            .Select(c => new IngestChannel(c.Id, c.OrganisationId, c.Kind, c.IsActive))
            .FirstOrDefaultAsync(ct);
        if (_byKeyHash.Count >= MaxCachedKeys)
        {
            _byKeyHash.Clear();
        }

        _byKeyHash[hash] = new CachedKey(channel, now.AddSeconds(options.Value.ApiKeyCacheSeconds));
        if (channel is not null)
        {
            _organisationOfChannel.TryAdd(channel.Id, channel.OrganisationId);
        }

        return channel;
    }

    /// <summary>The organisation that owns the channel, or null when there is no such channel.</summary>
    public async ValueTask<long?> OrganisationOfAsync(long channelId, CancellationToken ct)
    {
        if (_organisationOfChannel.TryGetValue(channelId, out var cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var organisation = await db.Channels.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.Id == channelId).Select(c => (long?)c.OrganisationId).FirstOrDefaultAsync(ct);
        if (organisation is { } org)
        {
            _organisationOfChannel.TryAdd(channelId, org);
        }

        return organisation;
    }

    private sealed record CachedKey(IngestChannel? Channel, DateTimeOffset Expires);
}
