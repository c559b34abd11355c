using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Participation;

/// <summary>Propose an idea: title (with similar ideas shown while typing), text, optional pin and photo.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(ParticipationFeature.ContributeRateLimit)]
public sealed class ProposeModel(CivicDeskDb db, CitizenSession session, ChallengeService service, PhotoStore photos, IOptions<PublicOptions> map) : PageModel
{
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public double? Latitude { get; set; }
    [BindProperty] public double? Longitude { get; set; }
    [BindProperty] public IFormFile? Photo { get; set; }
    // "new": PageModel has a Challenge() method (authentication challenge); this page is about a consultation challenge.
    public new Challenge Challenge { get; private set; } = null!;
    public PublicOptions Map => map.Value;
    public IReadOnlyList<SimilarIdea> Similar { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await LoadAsync(slug, ct) is { } stop)
        {
            return stop;
        }

        return Page();
    }

    /// <summary>htmx: similar ideas for the title typed so far (also works as a plain GET).</summary>
    public async Task<IActionResult> OnGetSimilarAsync(string slug, string? title, CancellationToken ct)
    {
        var challenge = await db.Challenges.AsNoTracking().FirstOrDefaultAsync(c => c.Slug == slug, ct);
        if (challenge is null)
        {
            return NotFound();
        }

        Challenge = challenge;
        Similar = await service.SimilarAsync(challenge.Id, title ?? "", 5, ct);
        return Partial("_SimilarIdeas", this);
    }

    public async Task<IActionResult> OnPostAsync(string slug, CancellationToken ct)
    {
        if (await LoadAsync(slug, ct) is { } stop)
        {
            return stop;
        }

        var citizen = (await session.CurrentAsync(ct))!;
        var title = Title?.Trim() ?? "";
        var text = Text?.Trim() ?? "";
        if (title.Length == 0) ModelState.AddModelError(nameof(Title), "Enter a title for your idea");
        else if (title.Length > 150) ModelState.AddModelError(nameof(Title), "Title must be 150 characters or fewer");
        if (text.Length == 0) ModelState.AddModelError(nameof(Text), "Describe your idea");
        else if (text.Length > 5000) ModelState.AddModelError(nameof(Text), "Your idea must be 5,000 characters or fewer");
        if ((Latitude is null) != (Longitude is null) || Latitude is < 49.8 or > 60.95 || Longitude is < -8.7 or > 1.8)
        {
            ModelState.AddModelError(nameof(Latitude), "Put the pin in the UK, or remove it");
        }

        PhotoKind? kind = null;
        if (Photo is not null)
        {
            var (k, error) = await PhotoStore.CheckAsync(Photo, ct);
            if (error is not null) ModelState.AddModelError(nameof(Photo), error);
            kind = k;
        }

        if (!ModelState.IsValid)
        {
            Similar = await service.SimilarAsync(Challenge.Id, title, 5, ct);
            return Page();
        }

        string? photoFile = null;
        if (Photo is not null && kind is not null)
        {
            var saved = await photos.SaveAsync(Challenge.OrganisationId, Photo, kind, ct);
            photoFile = Path.GetFileNameWithoutExtension(saved.StoredPath);
        }

        var idea = new Idea
        {
            OrganisationId = Challenge.OrganisationId,
            ChallengeId = Challenge.Id,
            CitizenAccountId = citizen.Id,
            Title = title,
            Text = text,
            Latitude = Latitude,
            Longitude = Longitude,
            PhotoFile = photoFile,
            PhotoContentType = kind?.ContentType,
            Origin = IdeaOrigin.Citizen,
            State = Challenge.Moderation == ModerationMode.Pre ? ContributionState.Pending : ContributionState.Visible,
            CreatedAt = service.Now,
        };
        db.Ideas.Add(idea);
        await db.SaveChangesAsync(ct);
        return Redirect($"/participate/{Challenge.Slug}/ideas/{idea.Id}");
    }

    private async Task<IActionResult?> LoadAsync(string slug, CancellationToken ct)
    {
        var now = service.Now;
        if (await db.Challenges.AsNoTracking().FirstOrDefaultAsync(c => c.Slug == slug && c.OpensAt != null && c.OpensAt <= now, ct) is not { } challenge)
        {
            return NotFound();
        }

        Challenge = challenge;
        if (await session.CurrentAsync(ct) is null)
        {
            return Redirect("/participate/sign-in?returnUrl=" + Uri.EscapeDataString($"/participate/{slug}/propose"));
        }

        return challenge.AcceptsIdeas(now) ? null : Redirect($"/participate/{slug}");
    }
}
