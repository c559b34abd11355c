using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// Decides which posts an organisation keeps: those flagged direct by the connector (mentions, replies, messages to
/// us), those mentioning one of its channel accounts, and those matching an enabled listening search. One compiled
/// matcher per organisation, cached; the admin pages call <see cref="Invalidate"/> on change, and it expires after
/// <see cref="CacheFor"/> for changes made by another process.
/// </summary>
public sealed class ListeningFilter(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<long, ListeningMatcher> _matchers = new();

    public void Invalidate(long organisationId) => _matchers.TryRemove(organisationId, out _);

    /// <summary>The kept posts, each with <see cref="InboundPost.MatchedSearch"/> set when a search kept it.</summary>
    public async ValueTask<IReadOnlyList<InboundPost>> KeepAsync(long organisationId, IReadOnlyList<InboundPost> posts, CancellationToken ct)
    {
        if (posts.Count == 0)
        {
            return posts;
        }

        var matcher = await MatcherAsync(organisationId, ct);
        var kept = new List<InboundPost>(posts.Count);
        foreach (var post in posts)
        {
            if (post.IsDirect || matcher.MentionsUs(post.Text))
            {
                kept.Add(post);
            }
            else if (matcher.Match(post.Text) is { } search)
            {
                kept.Add(post with { MatchedSearch = search });
            }
        }

        return kept;
    }

    public async ValueTask<ListeningMatcher> MatcherAsync(long organisationId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_matchers.TryGetValue(organisationId, out var cached) && cached.BuiltAt + CacheFor > now)
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var searches = await db.ListeningSearches.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.OrganisationId == organisationId && s.IsEnabled).OrderBy(s => s.Name).ToListAsync(ct);
        var accounts = await db.Channels.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Account != null).Select(c => c.Account!).ToListAsync(ct);
        var matcher = ListeningMatcher.Build(searches, accounts, now);
        _matchers[organisationId] = matcher;
        return matcher;
    }
}

/// <summary>
/// The compiled searches of one organisation. Terms match whole words, case-insensitively ("pothole" does not match
/// "potholes": list both forms); a keyword also matches its hashtag, "#bins" matches only the hashtag, "@council"
/// the handle, and a phrase matches its words in order.
/// </summary>
public sealed class ListeningMatcher
{
    // A backstop only: every pattern is escaped literal text joined by \s+ between fixed look-arounds, so a match is
    // linear in the post's length (posts are size-capped at ingest). The timeout is wall-clock time, not CPU: at 100 ms
    // it fired on an ordinary post while the process waited for a core (PostgreSQL test run at load ~30), failing a
    // connector batch that had nothing wrong with it.
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);
    private readonly Regex? _accounts;
    private readonly IReadOnlyList<(string Name, Regex[] Terms, bool All)> _searches;

    private ListeningMatcher(Regex? accounts, IReadOnlyList<(string, Regex[], bool)> searches, DateTimeOffset builtAt)
    {
        (_accounts, _searches, BuiltAt) = (accounts, searches, builtAt);
    }

    public DateTimeOffset BuiltAt { get; }

    public static ListeningMatcher Build(IEnumerable<ListeningSearch> searches, IEnumerable<string> accounts, DateTimeOffset builtAt)
    {
        var handles = accounts.Select(a => a.Trim().TrimStart('@')).Where(a => a.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var accountRegex = handles.Count == 0 ? null : Compile(handles.Select(h => "@" + Regex.Escape(h)));
        var compiled = new List<(string, Regex[], bool)>();
        foreach (var s in searches)
        {
            var terms = s.TermList();
            if (terms.Count == 0)
            {
                continue;
            }

            // Any: one alternation, one scan. All: one pattern a term, every one must hit.
            var patterns = terms.Select(Pattern).ToList();
            compiled.Add(s.Match == SearchMatch.All
                ? (s.Name, patterns.Select(p => Compile([p])).ToArray(), true)
                : (s.Name, [Compile(patterns)], false));
        }

        return new ListeningMatcher(accountRegex, compiled, builtAt);
    }

    public bool MentionsUs(string text) => _accounts?.IsMatch(text) == true;

    /// <summary>The name of the first search the text matches, or null.</summary>
    public string? Match(string text)
    {
        foreach (var (name, terms, all) in _searches)
        {
            if (all ? terms.All(t => t.IsMatch(text)) : terms[0].IsMatch(text))
            {
                return name;
            }
        }

        return null;
    }

    // A phrase's words may be separated by any run of white space.
    private static string Pattern(string term) => string.Join(@"\s+", term.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape));

    private static Regex Compile(IEnumerable<string> alternatives) =>
        new($@"(?<![\p{{L}}\p{{N}}_])(?:{string.Join('|', alternatives)})(?![\p{{L}}\p{{N}}_])",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, RegexTimeout);
}
