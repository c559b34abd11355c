using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record StaffChallengeRow(long Id, string Slug, string Title, ChallengePhase Phase, string Team, int Ideas, int Comments, int Supports, int Queue);

/// <summary>Staff: every challenge with its numbers, and a form to create one.</summary>
[Authorize(Policy = Policies.CaseWorker)]
public sealed partial class StaffIndexModel(CivicDeskDb db, AuditLog audit, TimeProvider clock) : PageModel
{
    public IReadOnlyList<StaffChallengeRow> Challenges { get; private set; } = [];
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    [BindProperty] public ChallengeInput Input { get; set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Input.Validate(ModelState, Teams.Select(t => t.Id));
        var slug = Slug(Input.Title ?? "");
        if (await db.Challenges.AnyAsync(c => c.Slug == slug, ct))
        {
            ModelState.AddModelError("Input.Title", "A challenge with this title already exists");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var organisationId = db.CurrentOrganisationId!.Value;
        var challenge = new Challenge { OrganisationId = organisationId, Slug = slug, Title = "", Question = "", CreatedAt = now };
        Input.ApplyTo(challenge);
        if (challenge.Hashtag is { } tag)
        {
            // The listening search makes the connectors keep posts with the hashtag; they become candidate ideas.
            var search = new ListeningSearch { OrganisationId = organisationId, Name = $"Challenge: {challenge.Title}"[..Math.Min(100, 11 + challenge.Title.Length)], Terms = "#" + tag, CreatedAt = now, UpdatedAt = now };
            db.ListeningSearches.Add(search);
            await db.SaveChangesAsync(ct);
            challenge.ListeningSearchId = search.Id;
        }

        db.Challenges.Add(challenge);
        await db.SaveChangesAsync(ct);
        audit.Record("challenge.created", "Challenge", challenge.Id, after: new { challenge.Title, challenge.OwnerTeamId, challenge.Moderation, challenge.OpensAt, challenge.ClosesAt });
        await db.SaveChangesAsync(ct);
        return Redirect($"/participation/challenges/{challenge.Id}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        Teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var rows = await db.Challenges.AsNoTracking().OrderByDescending(c => c.CreatedAt)
            .Select(c => new
            {
                c,
                Team = db.Teams.Where(t => t.Id == c.OwnerTeamId).Select(t => t.Name).FirstOrDefault() ?? "",
                Ideas = db.Ideas.Count(i => i.ChallengeId == c.Id && i.State != ContributionState.Removed),
                Comments = db.IdeaComments.Count(m => db.Ideas.Any(i => i.Id == m.IdeaId && i.ChallengeId == c.Id) && m.State != ContributionState.Removed),
                Supports = db.IdeaSupports.Count(s => db.Ideas.Any(i => i.Id == s.IdeaId && i.ChallengeId == c.Id)),
                Queue = db.Ideas.Count(i => i.ChallengeId == c.Id && i.State == ContributionState.Pending)
                        + db.IdeaComments.Count(m => db.Ideas.Any(i => i.Id == m.IdeaId && i.ChallengeId == c.Id) && m.State == ContributionState.Pending),
            }).ToListAsync(ct);
        Challenges = rows.Select(r => new StaffChallengeRow(r.c.Id, r.c.Slug, r.c.Title, r.c.PhaseAt(now), r.Team, r.Ideas, r.Comments, r.Supports, r.Queue)).ToList();
    }

    public static string Slug(string title)
    {
        var slug = NonWord().Replace(title.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "challenge" : slug[..Math.Min(60, slug.Length)].Trim('-');
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonWord();
}

/// <summary>The staff form for a challenge's settings; dates are UK calendar dates (opening at midnight UTC).</summary>
public sealed partial class ChallengeInput
{
    public string? Title { get; set; }
    public string? Question { get; set; }
    public string? Background { get; set; }
    public long? OwnerTeamId { get; set; }
    public ModerationMode Moderation { get; set; }
    public string? Hashtag { get; set; }
    public string? PlaceName { get; set; }
    public DateOnly? OpensOn { get; set; }
    public DateOnly? DiscussionOn { get; set; }
    public DateOnly? SupportOn { get; set; }
    public DateOnly? ClosesOn { get; set; }

    public void Validate(Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary state, IEnumerable<long> teams)
    {
        if (string.IsNullOrWhiteSpace(Title) || Title.Trim().Length > 200) state.AddModelError("Input.Title", "Enter a title of up to 200 characters");
        if (string.IsNullOrWhiteSpace(Question) || Question.Trim().Length > 500) state.AddModelError("Input.Question", "Enter the question, up to 500 characters");
        if ((Background?.Length ?? 0) > 20_000) state.AddModelError("Input.Background", "Background must be 20,000 characters or fewer");
        if (OwnerTeamId is not { } team || !teams.Contains(team)) state.AddModelError("Input.OwnerTeamId", "Choose the team that owns the challenge");
        if (Hashtag is { Length: > 0 } tag && !HashtagShape().IsMatch(tag.TrimStart('#'))) state.AddModelError("Input.Hashtag", "A hashtag is letters, digits and underscores, like #BetterHighStreet");
        DateOnly?[] order = [OpensOn, DiscussionOn, SupportOn, ClosesOn];
        var given = order.Where(d => d is not null).Select(d => d!.Value).ToList();
        if (given.Zip(given.Skip(1)).Any(p => p.Second < p.First)) state.AddModelError("Input.OpensOn", "The phase dates must be in order: ideas, discussion, support, closing");
        if (OpensOn is null && given.Count > 0) state.AddModelError("Input.OpensOn", "Enter when the challenge opens for ideas");
    }

    public void ApplyTo(Challenge c)
    {
        c.Title = Title!.Trim();
        c.Question = Question!.Trim();
        c.Background = Background ?? "";
        c.OwnerTeamId = OwnerTeamId!.Value;
        c.Moderation = Moderation;
        c.Hashtag = string.IsNullOrWhiteSpace(Hashtag) ? null : Hashtag.Trim().TrimStart('#');
        c.PlaceName = string.IsNullOrWhiteSpace(PlaceName) ? null : PlaceName.Trim();
        c.OpensAt = At(OpensOn);
        c.DiscussionFrom = At(DiscussionOn);
        c.SupportFrom = At(SupportOn);
        c.ClosesAt = At(ClosesOn);
    }

    public static ChallengeInput From(Challenge c) => new()
    {
        Title = c.Title, Question = c.Question, Background = c.Background, OwnerTeamId = c.OwnerTeamId, Moderation = c.Moderation,
        Hashtag = c.Hashtag, PlaceName = c.PlaceName, OpensOn = On(c.OpensAt), DiscussionOn = On(c.DiscussionFrom), SupportOn = On(c.SupportFrom), ClosesOn = On(c.ClosesAt),
    };

    private static DateTime? At(DateOnly? d) => d?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    private static DateOnly? On(DateTime? d) => d is { } x ? DateOnly.FromDateTime(x) : null;

    [GeneratedRegex("^[A-Za-z0-9_]{2,60}$")]
    private static partial Regex HashtagShape();
}
