using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record StaffIdeaRow(long Id, string Title, ContributionState State, string? HiddenReason, IdeaOrigin Origin, int Supports, int Comments, string? Theme, string? Response);

public sealed record SocialCandidate(long MessageId, string Author, string Text, DateTime CreatedAt);

/// <summary>Staff: one challenge — settings, numbers by week, themes, responses, social candidates, publishing.</summary>
[Authorize(Policy = Policies.CaseWorker)]
public sealed class StaffChallengeModel(CivicDeskDb db, ChallengeService service, AuditLog audit, ParticipationNotifier notifier,
    PublicOrganisationResolver organisations) : PageModel
{
    // "new": PageModel has a Challenge() method (authentication challenge); this page is about a consultation challenge.
    public new Challenge Challenge { get; private set; } = null!;
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public IReadOnlyList<WeekNumbers> Weeks { get; private set; } = [];

    /// <summary>The weekly numbers as a Chart.js chart with the same numbers as a table and CSV (the shared chart partial).</summary>
    public ChartModel WeeklyChart => new()
    {
        Id = "participation-weeks", Title = "Participation by week", HeadingLevel = 2, Kind = ChartKind.Bar, LabelHeading = "Week from", TimeUnit = "week",
        Description = "Ideas, comments, supports and distinct people taking part, by week starting Monday (UTC).",
        Labels = [.. Weeks.Select(w => w.WeekOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))],
        Series =
        [
            new ChartSeries("Ideas", [.. Weeks.Select(w => (double?)w.Ideas)]),
            new ChartSeries("Comments", [.. Weeks.Select(w => (double?)w.Comments)]),
            new ChartSeries("Supports", [.. Weeks.Select(w => (double?)w.Supports)]),
            new ChartSeries("Participants", [.. Weeks.Select(w => (double?)w.Participants)]),
        ],
    };
    public IReadOnlyList<StaffIdeaRow> Ideas { get; private set; } = [];
    public IReadOnlyList<IdeaTheme> Themes { get; private set; } = [];
    public IReadOnlyList<ThemeSuggestion> Suggestions { get; private set; } = [];
    public IReadOnlyList<SocialCandidate> Candidates { get; private set; } = [];
    [BindProperty] public ChallengeInput Input { get; set; } = new();
    [BindProperty] public long? IdeaId { get; set; }
    [BindProperty] public long? ThemeId { get; set; }
    [BindProperty] public long? MessageId { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public string? ThemeTitle { get; set; }
    [BindProperty] public List<long> ThemeIdeas { get; set; } = [];
    [TempData] public string? Notice { get; set; }
    public IReadOnlyList<ChallengeDocument> Documents { get; private set; } = [];
    [BindProperty] public string? DocumentTitle { get; set; }
    [BindProperty] public string? DocumentUrl { get; set; }
    [BindProperty] public long? DocumentId { get; set; }

    /// <summary>
    /// Adds a document to the challenge's public page: a title and an https link to the council's own copy (uploads are
    /// not stored here). Audited.
    /// </summary>
    public async Task<IActionResult> OnPostDocumentAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var title = DocumentTitle?.Trim() ?? "";
        var url = DocumentUrl?.Trim() ?? "";
        if (title.Length is 0 or > 200) ModelState.AddModelError(nameof(DocumentTitle), "Enter the document's title, up to 200 characters");
        if (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var link) || link.Scheme != Uri.UriSchemeHttps)
        {
            ModelState.AddModelError(nameof(DocumentUrl), "Enter the document's address starting with https://, like https://www.anytown.gov.uk/forms-review.pdf");
        }

        if (!ModelState.IsValid) return Page();
        var document = new ChallengeDocument { OrganisationId = Challenge.OrganisationId, ChallengeId = id, Title = title, Url = url };
        db.ChallengeDocuments.Add(document);
        await db.SaveChangesAsync(ct);
        audit.Record("challenge.document-added", "Challenge", id, after: new { document.Id, document.Title, document.Url });
        await db.SaveChangesAsync(ct);
        Notice = $"Document “{title}” added.";
        return Redirect($"/participation/challenges/{id}#documents");
    }

    public async Task<IActionResult> OnPostRemoveDocumentAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Documents.FirstOrDefault(d => d.Id == DocumentId) is not { } document) return NotFound();
        await db.ChallengeDocuments.Where(d => d.Id == document.Id).ExecuteDeleteAsync(ct);
        audit.Record("challenge.document-removed", "Challenge", id, before: new { document.Id, document.Title, document.Url });
        await db.SaveChangesAsync(ct);
        Notice = $"Document “{document.Title}” removed.";
        return Redirect($"/participation/challenges/{id}#documents");
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Input = ChallengeInput.From(Challenge);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Input.Validate(ModelState, Teams.Select(t => t.Id));
        if (!ModelState.IsValid) return Page();
        var tracked = await db.Challenges.FirstAsync(c => c.Id == id, ct);
        var before = ChallengeInput.From(tracked);
        Input.ApplyTo(tracked);
        audit.Record("challenge.updated", "Challenge", id, before: before, after: Input);
        await db.SaveChangesAsync(ct);
        Notice = "Challenge saved.";
        return Redirect($"/participation/challenges/{id}");
    }

    public async Task<IActionResult> OnPostRespondAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || IdeaId is not { } ideaId) return NotFound();
        var text = string.IsNullOrWhiteSpace(Text) ? null : Text.Trim()[..Math.Min(10_000, Text.Trim().Length)];
        var changed = await db.Ideas.Where(i => i.Id == ideaId && i.ChallengeId == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Response, text), ct);
        if (changed == 0) return NotFound();
        audit.Record("idea.response-set", "Idea", ideaId, after: new { response = text });
        await db.SaveChangesAsync(ct);
        Notice = "Response saved.";
        return Redirect($"/participation/challenges/{id}#idea-{ideaId}");
    }

    public async Task<IActionResult> OnPostConfirmThemeAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (string.IsNullOrWhiteSpace(ThemeTitle) || ThemeIdeas.Count == 0)
        {
            Notice = "Give the theme a title and choose at least one idea.";
            return Redirect($"/participation/challenges/{id}#themes");
        }

        await service.ConfirmThemeAsync(Challenge, ThemeTitle[..Math.Min(200, ThemeTitle.Length)], ThemeIdeas, ct);
        Notice = "Theme confirmed.";
        return Redirect($"/participation/challenges/{id}#themes");
    }

    public async Task<IActionResult> OnPostThemeResponseAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || ThemeId is not { } themeId) return NotFound();
        var text = string.IsNullOrWhiteSpace(Text) ? null : Text.Trim()[..Math.Min(10_000, Text.Trim().Length)];
        if (await db.IdeaThemes.Where(t => t.Id == themeId && t.ChallengeId == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.Response, text), ct) == 0) return NotFound();
        audit.Record("theme.response-set", "IdeaTheme", themeId, after: new { response = text });
        await db.SaveChangesAsync(ct);
        Notice = "Theme response saved.";
        return Redirect($"/participation/challenges/{id}#themes");
    }

    public async Task<IActionResult> OnPostAcceptAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || MessageId is not { } messageId || Candidates.FirstOrDefault(c => c.MessageId == messageId) is not { } post) return NotFound();
        var title = post.Text.Length <= 80 ? post.Text : post.Text[..77] + "…";
        var idea = new Idea
        {
            OrganisationId = Challenge.OrganisationId, ChallengeId = id, Title = title, Text = post.Text, Origin = IdeaOrigin.Social,
            MessageId = messageId, State = ContributionState.Visible, CreatedAt = service.Now,
        };
        db.Ideas.Add(idea);
        await db.SaveChangesAsync(ct);
        audit.Record("idea.accepted-from-social", "Idea", idea.Id, after: new { messageId });
        await db.SaveChangesAsync(ct);
        Notice = "The post is now an idea.";
        return Redirect($"/participation/challenges/{id}#social");
    }

    public async Task<IActionResult> OnPostPublishAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var tracked = await db.Challenges.FirstAsync(c => c.Id == id, ct);
        tracked.ResponseSummary = string.IsNullOrWhiteSpace(Text) ? tracked.ResponseSummary : Text.Trim();
        var first = tracked.ResponsePublishedAt is null;
        tracked.ResponsePublishedAt ??= service.Now;
        audit.Record("challenge.response-published", "Challenge", id, after: new { summary = tracked.ResponseSummary });
        await db.SaveChangesAsync(ct);
        var organisation = await organisations.ResolveAsync(ct);
        var sent = first ? await notifier.ResponsePublishedAsync(tracked, organisation?.Name ?? "The council", notifier.BaseUrl(Request), ct) : 0;
        Notice = first ? $"Response published. {sent} {(sent == 1 ? "participant was" : "participants were")} emailed." : "Response updated.";
        return Redirect($"/participation/challenges/{id}");
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        if (await db.Challenges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is not { } challenge) return false;
        Challenge = challenge;
        Teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        Weeks = await service.WeeklyNumbersAsync(id, ct);
        Documents = await db.ChallengeDocuments.AsNoTracking().Where(d => d.ChallengeId == id).OrderBy(d => d.Id).ToListAsync(ct);
        Themes = await db.IdeaThemes.AsNoTracking().Where(t => t.ChallengeId == id).OrderBy(t => t.Id).ToListAsync(ct);
        Ideas = await db.Ideas.AsNoTracking().Where(i => i.ChallengeId == id && i.State != ContributionState.Removed)
            .OrderByDescending(i => db.IdeaSupports.Count(s => s.IdeaId == i.Id)).ThenBy(i => i.Id)
            .Select(i => new StaffIdeaRow(i.Id, i.Title, i.State, i.HiddenReason, i.Origin, db.IdeaSupports.Count(s => s.IdeaId == i.Id),
                db.IdeaComments.Count(c => c.IdeaId == i.Id && c.State == ContributionState.Visible),
                db.IdeaThemes.Where(t => t.Id == i.ThemeId).Select(t => t.Title).FirstOrDefault(), i.Response))
            .ToListAsync(ct);
        Suggestions = await service.SuggestThemesAsync(id, ct);
        if (challenge.Hashtag is { } tag)
        {
            var needle = "#" + tag.ToLowerInvariant();
            var taken = db.Ideas.Where(i => i.ChallengeId == id && i.MessageId != null).Select(i => i.MessageId!.Value);
            // lower() LIKE on both providers; the StringComparison overload has no SQL translation.
#pragma warning disable CA1862
            Candidates = await db.Messages.AsNoTracking()
                .Where(m => m.Direction == MessageDirection.Inbound && m.Text.ToLower().Contains(needle) && !taken.Contains(m.Id))
                .OrderByDescending(m => m.CreatedAt).Take(50)
                .Select(m => new SocialCandidate(m.Id, m.AuthorName ?? m.AuthorHandle, m.Text, m.CreatedAt)).ToListAsync(ct);
#pragma warning restore CA1862
        }

        return true;
    }
}
