using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record ChallengeCard(string Slug, string Title, string Question, ChallengePhase Phase, DateTime? ClosesAt, int Ideas);

/// <summary>"Have your say": the organisation's open and past challenges.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class IndexModel(CivicDeskDb db, CitizenSession session, TimeProvider clock) : PageModel
{
    public IReadOnlyList<ChallengeCard> Challenges { get; private set; } = [];
    public CitizenAccount? Citizen { get; private set; }
    public IReadOnlyList<(string Slug, string Title, bool IsOpen)> MapProjects { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        Citizen = await session.CurrentAsync(ct);
        var rows = await db.Challenges.AsNoTracking().Where(c => c.OpensAt != null && c.OpensAt <= now).OrderByDescending(c => c.OpensAt)
            .Select(c => new { c, Ideas = db.Ideas.Count(i => i.ChallengeId == c.Id && i.State == ContributionState.Visible) })
            .ToListAsync(ct);
        MapProjects = (await db.MapProjects.AsNoTracking().OrderByDescending(p => p.IsOpen).ThenBy(p => p.Title)
            .Select(p => new { p.Slug, p.Title, p.IsOpen }).ToListAsync(ct)).Select(p => (p.Slug, p.Title, p.IsOpen)).ToList();
        Challenges = rows.Select(r => new ChallengeCard(r.c.Slug, r.c.Title, r.c.Question, r.c.PhaseAt(now), r.c.ClosesAt, r.Ideas)).ToList();
    }
}
