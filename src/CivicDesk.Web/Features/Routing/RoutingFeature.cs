using System.Collections.Concurrent;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Routing;

/// <summary>What routing looks at. Triage labels may be null when triage had nothing to say.</summary>
public sealed record RoutingInput(
    string Text,
    ChannelKind ChannelKind,
    string? Kind,
    string? Category,
    string? Sentiment,
    bool IsUrgent,
    string? Place);

/// <summary>The team chosen, the rule that chose it (null for the default team) and why, in words staff can read.</summary>
public sealed record RoutingDecision(long TeamId, string TeamName, long? RuleId, int? RulePosition, string Reason, Priority? Priority);

/// <summary>
/// Chooses a team for a message from the organisation's ordered rules. A singleton called for every ingested message,
/// so each organisation's compiled <see cref="RuleBook"/> is cached in memory: the admin page calls
/// <see cref="Invalidate"/> after every change, and entries also expire after <see cref="CacheLifetime"/> so that
/// other instances of the app (which this one cannot tell) pick up changes too.
/// </summary>
public sealed partial class RoutingService(IServiceScopeFactory scopes, TimeProvider clock, ILogger<RoutingService> logger)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<long, CachedBook> _books = new();

    public async Task<RoutingDecision> RouteAsync(long organisationId, RoutingInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var book = await GetRuleBookAsync(organisationId, ct);
        return book.Decide(input, rule => LogPatternTimeout(logger, rule.Id, rule.Position, organisationId));
    }

    /// <summary>Routes with a rule book already in hand (the ingest pipeline fetches it once per submission).</summary>
    public RoutingDecision Route(RuleBook book, RoutingInput input)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(input);
        return book.Decide(input, rule => LogPatternTimeout(logger, rule.Id, rule.Position, book.OrganisationId));
    }

    /// <summary>Forgets the organisation's cached rules; the next message reads them afresh.</summary>
    public void Invalidate(long organisationId) => _books.TryRemove(organisationId, out _);

    /// <summary>The organisation's rule book, from the cache while it is fresh. Concurrent callers share one load.</summary>
    public async Task<RuleBook> GetRuleBookAsync(long organisationId, CancellationToken ct)
    {
        while (true)
        {
            var now = clock.GetUtcNow();
            _books.TryGetValue(organisationId, out var cached);
            if (cached is not null && now - cached.LoadedAt < CacheLifetime && !cached.Load.Value.IsFaulted && !cached.Load.Value.IsCanceled)
            {
                return await cached.Load.Value.WaitAsync(ct);
            }

            // The load belongs to the cache, not to this caller: one caller giving up must not fail the others.
            var fresh = new CachedBook(new Lazy<Task<RuleBook>>(() => LoadAsync(organisationId)), now);
            var won = cached is null ? _books.TryAdd(organisationId, fresh) : _books.TryUpdate(organisationId, fresh, cached);
            if (won)
            {
                return await fresh.Load.Value.WaitAsync(ct);
            }
        }
    }

    private async Task<RuleBook> LoadAsync(long organisationId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var book = await RuleBook.LoadAsync(db, organisationId, CancellationToken.None);
        foreach (var rule in book.Rules.Where(r => r.IsEnabled && r.PatternError is not null))
        {
            LogInvalidPattern(logger, rule.Id, rule.Position, organisationId);
        }

        LogLoaded(logger, book.Rules.Count, organisationId);
        return book;
    }

    private sealed record CachedBook(Lazy<Task<RuleBook>> Load, DateTimeOffset LoadedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing rule {RuleId} (position {Position}) of organisation {OrganisationId}: pattern timed out; counted as no match")]
    private static partial void LogPatternTimeout(ILogger logger, long ruleId, int position, long organisationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing rule {RuleId} (position {Position}) of organisation {OrganisationId} has an invalid pattern and never matches")]
    private static partial void LogInvalidPattern(ILogger logger, long ruleId, int position, long organisationId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Loaded {RuleCount} routing rules for organisation {OrganisationId}")]
    private static partial void LogLoaded(ILogger logger, int ruleCount, long organisationId);
}

public static class RoutingFeature
{
    public static WebApplicationBuilder AddRoutingFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RoutingService>();
        return builder;
    }
}
