using CivicDesk.Triage.Duplicates;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

/// <summary>A similar existing idea, with how similar (cosine of TF-IDF vectors, 0..1).</summary>
public sealed record SimilarIdea(long Id, string Title, double Score, int Supports);

/// <summary>A theme the similarity suggests: ideas whose texts are close to one another.</summary>
public sealed record ThemeSuggestion(string Title, IReadOnlyList<long> IdeaIds);

/// <summary>Participation counts for one ISO week (Monday).</summary>
public sealed record WeekNumbers(DateOnly WeekOf, int Ideas, int Comments, int Supports, int Participants);

/// <summary>Why a moderation action was refused.</summary>
public sealed class ModerationRefusedException(string message) : Exception(message);

/// <summary>The rules of taking part, shared by the citizen pages, the staff pages and the tests.</summary>
public sealed class ChallengeService(CivicDeskDb db, AuditLog audit, TimeProvider clock)
{
    /// <summary>Below this cosine an idea is not offered as similar.</summary>
    public const double SimilarThreshold = 0.12;
    /// <summary>Ideas at least this close are suggested as one theme.</summary>
    public const double ThemeThreshold = 0.3;

    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Adds one support, idempotently: INSERT … ON CONFLICT DO NOTHING on the unique (idea, citizen) index, so two
    /// clicks at once, or a hundred, count once. True when this call added it.
    /// </summary>
    public async Task<bool> SupportAsync(long organisationId, long ideaId, long accountId, CancellationToken ct)
    {
        var now = Now;
        var added = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "IdeaSupports" ("OrganisationId", "IdeaId", "CitizenAccountId", "CreatedAt") VALUES ({organisationId}, {ideaId}, {accountId}, {now}) ON CONFLICT DO NOTHING""", ct);
        return added == 1;
    }

    public Task<int> WithdrawSupportAsync(long ideaId, long accountId, CancellationToken ct) =>
        db.IdeaSupports.Where(s => s.IdeaId == ideaId && s.CitizenAccountId == accountId).ExecuteDeleteAsync(ct);

    /// <summary>Visible ideas of the challenge most like <paramref name="text"/> (TF-IDF over this challenge's ideas, as the case duplicate detector does).</summary>
    public async Task<IReadOnlyList<SimilarIdea>> SimilarAsync(long challengeId, string text, int take, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text) || !TermStatistics.Terms(text).Any())
        {
            return [];
        }

        var ideas = await db.Ideas.AsNoTracking()
            .Where(i => i.ChallengeId == challengeId && i.State == ContributionState.Visible)
            .Select(i => new { i.Id, i.Title, i.Text, Supports = db.IdeaSupports.Count(s => s.IdeaId == i.Id) })
            .ToListAsync(ct);
        return Rank(ideas.Select(i => (i.Id, i.Title, i.Title + "\n" + i.Text, i.Supports)).ToList(), text, take);
    }

    /// <summary>Ranks candidates by cosine similarity to the query, best first; the corpus statistics come from the candidates.</summary>
    public static IReadOnlyList<SimilarIdea> Rank(IReadOnlyList<(long Id, string Title, string Text, int Supports)> candidates, string query, int take)
    {
        if (candidates.Count == 0)
        {
            return [];
        }

        var corpus = TermStatistics.Build(candidates.Select(c => c.Text).Append(query));
        var q = corpus.Vector(query);
        return candidates
            .Select(c => new SimilarIdea(c.Id, c.Title, TermVector.Cosine(q, corpus.Vector(c.Text)), c.Supports))
            .Where(s => s.Score >= SimilarThreshold)
            .OrderByDescending(s => s.Score).ThenByDescending(s => s.Supports)
            .Take(take)
            .ToList();
    }

    /// <summary>
    /// Suggests themes among ideas not yet in one: single-link groups of ideas at least <see cref="ThemeThreshold"/>
    /// alike, two or more ideas each, titled by the terms they share most. Staff confirm or ignore each.
    /// </summary>
    public async Task<IReadOnlyList<ThemeSuggestion>> SuggestThemesAsync(long challengeId, CancellationToken ct)
    {
        var ideas = await db.Ideas.AsNoTracking()
            .Where(i => i.ChallengeId == challengeId && i.State == ContributionState.Visible && i.ThemeId == null)
            .OrderBy(i => i.Id).Select(i => new { i.Id, Text = i.Title + "\n" + i.Text }).ToListAsync(ct);
        if (ideas.Count < 2)
        {
            return [];
        }

        var corpus = TermStatistics.Build(ideas.Select(i => i.Text));
        var vectors = ideas.Select(i => corpus.Vector(i.Text)).ToArray();
        var parent = Enumerable.Range(0, ideas.Count).ToArray();
        int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        for (var a = 0; a < ideas.Count; a++)
        {
            for (var b = a + 1; b < ideas.Count; b++)
            {
                if (TermVector.Cosine(vectors[a], vectors[b]) >= ThemeThreshold)
                {
                    parent[Find(b)] = Find(a);
                }
            }
        }

        return Enumerable.Range(0, ideas.Count).GroupBy(Find).Where(g => g.Count() >= 2)
            .Select(g =>
            {
                var members = g.ToList();
                var shared = TermVector.TopShared(vectors[members[0]], vectors[members[1]], 3);
                var title = shared.Count > 0 ? string.Join(", ", shared) : "Similar ideas";
                return new ThemeSuggestion(char.ToUpperInvariant(title[0]) + title[1..], members.Select(m => ideas[m].Id).ToList());
            })
            .ToList();
    }

    /// <summary>Confirms a theme: the staff-chosen title over the staff-chosen ideas (of this challenge only). Audited.</summary>
    public async Task<IdeaTheme> ConfirmThemeAsync(Challenge challenge, string title, IReadOnlyCollection<long> ideaIds, CancellationToken ct)
    {
        var theme = new IdeaTheme { OrganisationId = challenge.OrganisationId, ChallengeId = challenge.Id, Title = title.Trim(), CreatedAt = Now };
        db.IdeaThemes.Add(theme);
        await db.SaveChangesAsync(ct);
        var moved = await db.Ideas.Where(i => i.ChallengeId == challenge.Id && ideaIds.Contains(i.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ThemeId, theme.Id), ct);
        audit.Record("challenge.theme-confirmed", "Challenge", challenge.Id, after: new { theme = theme.Id, theme.Title, ideas = moved });
        await db.SaveChangesAsync(ct);
        return theme;
    }

    /// <summary>
    /// Hides or approves an idea or comment. Refused when the moderator belongs to the challenge's owner team: the
    /// team answering the challenge does not decide what the public may say about it.
    /// </summary>
    public async Task ModerateAsync(string kind, long id, bool hide, string? reasonCode, string moderatorId, CancellationToken ct)
    {
        if (hide && HouseRules.Find(reasonCode) is null)
        {
            throw new ModerationRefusedException("Choose the house rule this breaks");
        }

        var (challengeId, before) = kind switch
        {
            "idea" => await db.Ideas.Where(i => i.Id == id).Select(i => new { i.ChallengeId, i.State }).FirstOrDefaultAsync(ct) is { } x
                ? (x.ChallengeId, x.State) : throw new KeyNotFoundException(),
            "comment" => await db.IdeaComments.Where(c => c.Id == id)
                    .Select(c => new { c.IdeaId, c.State }).FirstOrDefaultAsync(ct) is { } y
                ? (await db.Ideas.Where(i => i.Id == y.IdeaId).Select(i => i.ChallengeId).FirstAsync(ct), y.State) : throw new KeyNotFoundException(),
            _ => throw new KeyNotFoundException(),
        };
        var ownerTeam = await db.Challenges.Where(c => c.Id == challengeId).Select(c => c.OwnerTeamId).FirstAsync(ct);
        if (await db.TeamMemberships.AnyAsync(m => m.TeamId == ownerTeam && m.StaffMemberId == moderatorId, ct))
        {
            throw new ModerationRefusedException("You are in the team that owns this challenge, so someone from another team must moderate it");
        }

        var state = hide ? ContributionState.Hidden : ContributionState.Visible;
        var reason = hide ? reasonCode : null;
        if (kind == "idea")
        {
            await db.Ideas.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.State, state).SetProperty(i => i.HiddenReason, reason), ct);
            await db.ContentReports.Where(r => r.IdeaId == id && r.ResolvedAt == null).ExecuteUpdateAsync(s => s.SetProperty(r => r.ResolvedAt, Now), ct);
        }
        else
        {
            await db.IdeaComments.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.State, state).SetProperty(c => c.HiddenReason, reason), ct);
            await db.ContentReports.Where(r => r.CommentId == id && r.ResolvedAt == null).ExecuteUpdateAsync(s => s.SetProperty(r => r.ResolvedAt, Now), ct);
        }

        audit.Record(hide ? $"{kind}.hidden" : $"{kind}.approved", kind == "idea" ? "Idea" : "IdeaComment", id,
            before: new { state = before.ToString() }, after: new { state = state.ToString(), reason });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Ideas, comments, supports and participants per ISO week (Monday), oldest first, for one challenge.</summary>
    public async Task<IReadOnlyList<WeekNumbers>> WeeklyNumbersAsync(long challengeId, CancellationToken ct)
    {
        var ideas = await db.Ideas.AsNoTracking().Where(i => i.ChallengeId == challengeId && i.State != ContributionState.Removed)
            .Select(i => new { i.Id, i.CreatedAt, i.CitizenAccountId }).ToListAsync(ct);
        var ideaIds = ideas.Select(i => i.Id).ToList();
        var comments = await db.IdeaComments.AsNoTracking().Where(c => ideaIds.Contains(c.IdeaId) && c.State != ContributionState.Removed)
            .Select(c => new { c.CreatedAt, c.CitizenAccountId }).ToListAsync(ct);
        var supports = await db.IdeaSupports.AsNoTracking().Where(s => ideaIds.Contains(s.IdeaId))
            .Select(s => new { s.CreatedAt, s.CitizenAccountId }).ToListAsync(ct);
        var all = ideas.Select(i => (Kind: 0, i.CreatedAt, i.CitizenAccountId))
            .Concat(comments.Select(c => (Kind: 1, c.CreatedAt, c.CitizenAccountId)))
            .Concat(supports.Select(s => (Kind: 2, s.CreatedAt, s.CitizenAccountId)));
        return all.GroupBy(x => WeekOf(x.CreatedAt)).OrderBy(g => g.Key)
            .Select(g => new WeekNumbers(g.Key, g.Count(x => x.Kind == 0), g.Count(x => x.Kind == 1), g.Count(x => x.Kind == 2),
                g.Where(x => x.CitizenAccountId != null).Select(x => x.CitizenAccountId).Distinct().Count()))
            .ToList();
    }

    public static DateOnly WeekOf(DateTime at)
    {
        var day = DateOnly.FromDateTime(at);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }
}
