using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record QueueItem(string Kind, long Id, string ChallengeTitle, string ChallengeSlug, long IdeaId, string Text, ContributionState State,
    IReadOnlyList<string> Reports, bool OwnTeam);

/// <summary>
/// The moderation queue: ideas and comments waiting (pre-moderation) or reported by citizens (post-moderation).
/// Hide with a house rule, or approve. Items on challenges owned by the moderator's own team are shown but locked.
/// </summary>
[Authorize(Policy = Policies.CaseWorker)]
public sealed class ModerationModel(CivicDeskDb db, ChallengeService service) : PageModel
{
    public IReadOnlyList<QueueItem> Items { get; private set; } = [];
    [BindProperty] public string? Kind { get; set; }
    [BindProperty] public long ItemId { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [TempData] public string? Notice { get; set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public Task<IActionResult> OnPostHideAsync(CancellationToken ct) => ActAsync(hide: true, ct);

    public Task<IActionResult> OnPostApproveAsync(CancellationToken ct) => ActAsync(hide: false, ct);

    private async Task<IActionResult> ActAsync(bool hide, CancellationToken ct)
    {
        try
        {
            await service.ModerateAsync(Kind ?? "", ItemId, hide, Reason, User.StaffId()!, ct);
            Notice = hide ? $"Hidden: {HouseRules.TitleOf(Reason)}." : "Approved.";
            return Redirect("/participation/moderation");
        }
        catch (ModerationRefusedException e)
        {
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status409Conflict;
            await LoadAsync(ct);
            return Page();
        }
        catch (KeyNotFoundException)
        {
            return NotFound();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var me = User.StaffId();
        var myTeams = await db.TeamMemberships.Where(m => m.StaffMemberId == me).Select(m => m.TeamId).ToListAsync(ct);
        var openReports = await db.ContentReports.AsNoTracking().Where(r => r.ResolvedAt == null)
            .Select(r => new { r.IdeaId, r.CommentId, r.Reason }).ToListAsync(ct);
        var reportedIdeas = openReports.Where(r => r.IdeaId != null).Select(r => r.IdeaId!.Value).Distinct().ToList();
        var reportedComments = openReports.Where(r => r.CommentId != null).Select(r => r.CommentId!.Value).Distinct().ToList();
        var ideas = await db.Ideas.AsNoTracking()
            .Where(i => i.State == ContributionState.Pending || (reportedIdeas.Contains(i.Id) && i.State == ContributionState.Visible))
            .Join(db.Challenges, i => i.ChallengeId, c => c.Id, (i, c) => new { i.Id, i.Title, i.Text, i.State, ChallengeTitle = c.Title, c.Slug, c.OwnerTeamId, i.CreatedAt })
            .ToListAsync(ct);
        var comments = await db.IdeaComments.AsNoTracking()
            .Where(m => m.State == ContributionState.Pending || (reportedComments.Contains(m.Id) && m.State == ContributionState.Visible))
            .Join(db.Ideas, m => m.IdeaId, i => i.Id, (m, i) => new { m, i.ChallengeId })
            .Join(db.Challenges, x => x.ChallengeId, c => c.Id, (x, c) => new { x.m.Id, x.m.IdeaId, x.m.Text, x.m.State, ChallengeTitle = c.Title, c.Slug, c.OwnerTeamId, x.m.CreatedAt })
            .ToListAsync(ct);
        Items = ideas.OrderBy(i => i.CreatedAt).Select(i => new QueueItem("idea", i.Id, i.ChallengeTitle, i.Slug, i.Id, i.Title + "\n\n" + i.Text, i.State,
                    openReports.Where(r => r.IdeaId == i.Id).Select(r => HouseRules.TitleOf(r.Reason)).ToList(), myTeams.Contains(i.OwnerTeamId)))
            .Concat(comments.OrderBy(m => m.CreatedAt).Select(m => new QueueItem("comment", m.Id, m.ChallengeTitle, m.Slug, m.IdeaId, m.Text, m.State,
                    openReports.Where(r => r.CommentId == m.Id).Select(r => HouseRules.TitleOf(r.Reason)).ToList(), myTeams.Contains(m.OwnerTeamId))))
            .ToList();
    }
}
