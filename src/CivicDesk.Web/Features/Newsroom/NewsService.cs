using System.Globalization;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Features.Review;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Newsroom;

/// <summary>What the post form sends. Tags are comma separated; channels are the accounts to announce it on.</summary>
public sealed record NewsInput(string? Title, string? Summary, string? Body, string? Tags, DateTime? EmbargoUntil, string? ChangeNote,
    IReadOnlyList<PublicationTarget> Channels, bool SplitIntoThread);

public sealed record NewsImageUpload(string FileName, byte[] Data, string? AltText);

/// <summary>A problem with the form, by field.</summary>
public sealed record NewsResult(long? Id, IReadOnlyList<PublicationError> Errors, string? Notice = null)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>The announcement settings kept on the post until it is published.</summary>
public sealed record NewsChannels(IReadOnlyList<PublicationTarget> Targets, bool SplitIntoThread);

/// <summary>
/// Newsroom posts: drafts, publishing (straight away, or at the embargo time), a visible change log for edits after
/// publication, withdrawal (the page stays and says so). A trainee's post goes to the review queue first. When a
/// post is published it is announced on the chosen accounts through <see cref="PublicationService"/>, linking back
/// to its page. Every step is an audit event.
/// </summary>
public sealed class NewsService(CivicDeskDb db, AuditLog audit, ReviewQueue review, PublicationService publications, IHttpContextAccessor http, TimeProvider clock)
{
    public const string ReviewKind = "news-post";
    public const long MaxImageBytes = 8 * 1024 * 1024;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Published and past its embargo: what citizens may see (withdrawn posts only at their own address).</summary>
    public static IQueryable<NewsPost> Public(IQueryable<NewsPost> posts, DateTime now) =>
        posts.Where(p => (p.Status == NewsPostStatus.Published || p.Status == NewsPostStatus.Scheduled) && p.PublishedAt != null && p.PublishedAt <= now
            && (p.EmbargoUntil == null || p.EmbargoUntil <= now));

    public static string TagsToColumn(string? tags)
    {
        var list = (tags ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(NormaliseTag).Where(t => t.Length > 0).Distinct().Take(10).ToList();
        return "|" + string.Join("|", list) + (list.Count > 0 ? "|" : "");
    }

    public static string NormaliseTag(string tag) =>
        new string(tag.Trim().ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');

    public static string Slugify(string title)
    {
        var normalised = title.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder();
        foreach (var c in normalised)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        var slug = string.Join('-', sb.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "post" : slug.Length > 80 ? slug[..80].TrimEnd('-') : slug;
    }

    private static List<PublicationError> Validate(NewsInput input, NewsPost? existing)
    {
        var errors = new List<PublicationError>();
        if (string.IsNullOrWhiteSpace(input.Title))
        {
            errors.Add(new("Input.Title", "Enter a title"));
        }
        else if (input.Title.Trim().Length > 200)
        {
            errors.Add(new("Input.Title", "Title must be 200 characters or fewer"));
        }

        if (string.IsNullOrWhiteSpace(input.Summary))
        {
            errors.Add(new("Input.Summary", "Enter a summary: one or two sentences shown in the list and in feeds"));
        }
        else if (input.Summary.Trim().Length > 600)
        {
            errors.Add(new("Input.Summary", "Summary must be 600 characters or fewer"));
        }

        if (string.IsNullOrWhiteSpace(input.Body))
        {
            errors.Add(new("Input.Body", "Enter the text of the post"));
        }
        else if (input.Body.Length > NewsPost.MaxBodyLength)
        {
            errors.Add(new("Input.Body", $"The text must be {NewsPost.MaxBodyLength} characters or fewer"));
        }

        if (existing is { Status: NewsPostStatus.Published } && string.IsNullOrWhiteSpace(input.ChangeNote))
        {
            errors.Add(new("Input.ChangeNote", "Say what changed: readers see it in the post's change log"));
        }

        return errors;
    }

    /// <summary>Creates or updates a post (a draft, or a published post with a change-log line). Images need alt text.</summary>
    public async Task<NewsResult> SaveAsync(long? id, NewsInput input, IReadOnlyList<NewsImageUpload> uploads, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var post = id is { } i ? await db.NewsPosts.Include(p => p.Images).SingleOrDefaultAsync(p => p.Id == i, ct) : null;
        if (id is not null && post is null)
        {
            return new NewsResult(null, [new("", "Post not found")]);
        }

        if (post is { Status: NewsPostStatus.Withdrawn or NewsPostStatus.InReview })
        {
            return new NewsResult(post.Id, [new("Input.Title", post.Status == NewsPostStatus.Withdrawn ? "A withdrawn post cannot be edited" : "This post is waiting for review; it can be edited once it is returned")]);
        }

        var errors = Validate(input, post);
        for (var u = 0; u < uploads.Count; u++)
        {
            var upload = uploads[u];
            if (string.IsNullOrWhiteSpace(upload.AltText))
            {
                errors.Add(new("ImageAlt", $"Enter alt text for {upload.FileName}: describe the image for people who cannot see it"));
            }

            if (upload.Data.LongLength > MaxImageBytes)
            {
                errors.Add(new("Image", $"{upload.FileName} is {NetworkRules.Size(upload.Data.LongLength)}; images must be {NetworkRules.Size(MaxImageBytes)} or smaller"));
            }
            else if (NetworkRules.SniffImageType(upload.Data) is null)
            {
                errors.Add(new("Image", $"{upload.FileName} is not a JPEG, PNG, GIF or WebP image"));
            }
        }

        if (errors.Count > 0)
        {
            return new NewsResult(post?.Id, errors);
        }

        var now = Now;
        var user = http.HttpContext!.User;
        var creating = post is null;
        if (post is null)
        {
            var baseSlug = Slugify(input.Title!);
            var slug = baseSlug;
            for (var n = 2; await db.NewsPosts.AnyAsync(p => p.Slug == slug, ct); n++)
            {
                slug = $"{baseSlug}-{n}";
            }

            post = new NewsPost
            {
                OrganisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation."),
                Slug = slug, Title = "", Summary = "", BodyMarkdown = "", CreatedAt = now,
                AuthorId = user.StaffId()!, AuthorName = user.DisplayNameOf(),
            };
            db.NewsPosts.Add(post);
        }

        var wasPublished = post.Status == NewsPostStatus.Published;
        var before = wasPublished ? new { post.Title, post.Summary, Body = post.BodyMarkdown } : null;
        post.Title = input.Title!.Trim();
        post.Summary = input.Summary!.Trim();
        post.BodyMarkdown = input.Body!.ReplaceLineEndings("\n");
        post.Tags = TagsToColumn(input.Tags);
        post.EmbargoUntil = wasPublished ? post.EmbargoUntil : input.EmbargoUntil;
        post.ChannelsJson = JsonSerializer.Serialize(new NewsChannels(input.Channels, input.SplitIntoThread));
        post.UpdatedAt = now;
        var position = post.Images.Count;
        foreach (var upload in uploads)
        {
            post.Images.Add(new NewsPostImage
            {
                OrganisationId = post.OrganisationId, Position = position++, FileName = Path.GetFileName(upload.FileName),
                ContentType = NetworkRules.SniffImageType(upload.Data)!, Data = upload.Data, AltText = upload.AltText!.Trim(),
            });
        }

        if (wasPublished)
        {
            post.Changes.Add(new NewsPostChange { OrganisationId = post.OrganisationId, At = now, Note = input.ChangeNote!.Trim(), ActorName = user.DisplayNameOf() });
        }

        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record(creating ? "news.created" : wasPublished ? "news.edited-after-publication" : "news.draft-saved", "NewsPost", post.Id,
            before, wasPublished ? new { post.Title, post.Summary, Body = post.BodyMarkdown, Note = input.ChangeNote } : $"{post.Title} ({uploads.Count} image(s) added)");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new NewsResult(post.Id, []);
    }

    /// <summary>Publishes (or schedules for the embargo time); a trainee's post goes to their mentor first.</summary>
    public async Task<NewsResult> PublishAsync(long id, string baseUrl, CancellationToken ct)
    {
        var post = await db.NewsPosts.Include(p => p.Images).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (post is null)
        {
            return new NewsResult(null, [new("", "Post not found")]);
        }

        if (post.Status is not NewsPostStatus.Draft)
        {
            return new NewsResult(id, [new("Input.Title", "Only a draft can be published")]);
        }

        var channels = ReadChannels(post.ChannelsJson);
        var announce = Announcement(post, channels, baseUrl);
        if (announce is not null)
        {
            var problems = await publications.ValidateAsync(announce, ct);
            if (problems.Count > 0)
            {
                return new NewsResult(id, problems.Select(p => p with { Field = "Channels" }).ToList());
            }
        }

        if (review.CurrentUserMustBeReviewed)
        {
            post.Status = NewsPostStatus.InReview;
            post.UpdatedAt = Now;
            audit.Record("news.submitted-for-review", "NewsPost", id, "Draft", "In review");
            await db.SaveChangesAsync(ct);
            var submitted = await review.SubmitAsync(new ReviewSubmission(ReviewKind, id.ToString(CultureInfo.InvariantCulture), $"News post: {post.Title}", post.BodyMarkdown), ct);
            return submitted.Outcome == ReviewOutcome.Done
                ? new NewsResult(id, [], "Your post is waiting for review by your mentor")
                : new NewsResult(id, [new("Input.Body", submitted.Error ?? "Could not send for review")]);
        }

        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var error = await ReleaseAsync(post, baseUrl, ct);
        if (error is not null)
        {
            return new NewsResult(id, [new("Channels", error)]);
        }

        await tx.CommitAsync(ct);
        return new NewsResult(id, [], post.Status == NewsPostStatus.Scheduled ? "Scheduled: it will be published when the embargo lifts" : "Published");
    }

    /// <summary>Makes the post public (now or at its embargo) and announces it; the caller owns the transaction.</summary>
    internal async Task<string?> ReleaseAsync(NewsPost post, string baseUrl, CancellationToken ct)
    {
        var now = Now;
        var embargoed = post.EmbargoUntil is { } e && e > now;
        post.Status = embargoed ? NewsPostStatus.Scheduled : NewsPostStatus.Published;
        post.PublishedAt = embargoed ? post.EmbargoUntil : now;
        post.UpdatedAt = now;
        audit.Record(embargoed ? "news.scheduled" : "news.published", "NewsPost", post.Id, null,
            embargoed ? $"public at {post.EmbargoUntil!.Value.ToString("u", CultureInfo.InvariantCulture)}" : post.Title);
        await db.SaveChangesAsync(ct);
        var announce = Announcement(post, ReadChannels(post.ChannelsJson), baseUrl);
        if (announce is not null)
        {
            var created = await publications.CreateAsync(announce, ct);
            if (!created.Succeeded)
            {
                return string.Join("; ", created.Errors.Select(x => x.Message));
            }

            post.PublicationId = created.Id;
            await db.SaveChangesAsync(ct);
        }

        return null;
    }

    public static NewsChannels ReadChannels(string json)
    {
        try
        {
            return json.TrimStart().StartsWith('{') ? JsonSerializer.Deserialize<NewsChannels>(json) ?? new([], false) : new([], false);
        }
        catch (JsonException)
        {
            return new([], false);
        }
    }

    public static string PublicUrl(string baseUrl, string slug) => $"{baseUrl.TrimEnd('/')}/news/{slug}";

    private static PublicationRequest? Announcement(NewsPost post, NewsChannels channels, string baseUrl) =>
        channels.Targets.Count == 0 ? null : new PublicationRequest(
            $"{post.Title}\n\n{post.Summary}",
            channels.Targets,
            post.Images.OrderBy(i => i.Position).Select(i => new PublicationImageInput(i.FileName, i.Data, i.AltText)).ToList(),
            PublicUrl(baseUrl, post.Slug),
            post.EmbargoUntil,
            $"news-post:{post.Id}",
            channels.SplitIntoThread,
            SkipReview: true);

    /// <summary>Takes a post down: its address stays and says it was withdrawn, and why; announcements not yet sent are stopped.</summary>
    public async Task<NewsResult> WithdrawAsync(long id, string? reason, CancellationToken ct)
    {
        var post = await db.NewsPosts.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (post is null)
        {
            return new NewsResult(null, [new("", "Post not found")]);
        }

        if (post.Status is not (NewsPostStatus.Published or NewsPostStatus.Scheduled))
        {
            return new NewsResult(id, [new("WithdrawalReason", "Only a published or scheduled post can be withdrawn")]);
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return new NewsResult(id, [new("WithdrawalReason", "Say why it is withdrawn: readers see the reason")]);
        }

        var before = post.Status;
        post.Status = NewsPostStatus.Withdrawn;
        post.WithdrawnAt = Now;
        post.WithdrawalReason = reason.Trim().Length > 1000 ? reason.Trim()[..1000] : reason.Trim();
        post.UpdatedAt = Now;
        audit.Record("news.withdrawn", "NewsPost", id, before.ToString(), post.WithdrawalReason);
        await db.SaveChangesAsync(ct);
        if (post.PublicationId is { } publicationId)
        {
            await publications.CancelAsync(publicationId, ct);
        }

        return new NewsResult(id, [], "Withdrawn: the page now says so");
    }
}

/// <summary>Releases a trainee's post when the mentor approves it: the approved Markdown replaces the body, then it is published.</summary>
public sealed class NewsReviewHandler(CivicDeskDb db, NewsService news, PublicationSignal signal, IHttpContextAccessor http) : IReviewHandler
{
    public string Kind => NewsService.ReviewKind;

    public string Label => "News post";

    public string Link(ReviewItem item) => $"/newsroom/edit/{item.SubjectId}";

    public async Task<ReviewApplied> ApplyAsync(ReviewItem item, string approvedText, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        var id = long.Parse(item.SubjectId, CultureInfo.InvariantCulture);
        var post = await db.NewsPosts.Include(p => p.Images).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (post is null || post.Status != NewsPostStatus.InReview)
        {
            return ReviewApplied.Failed("This post is no longer waiting for review");
        }

        post.BodyMarkdown = approvedText;
        post.Status = NewsPostStatus.Draft;
        var request = http.HttpContext!.Request;
        var error = await news.ReleaseAsync(post, $"{request.Scheme}://{request.Host}", ct);
        return error is null ? new ReviewApplied(AfterCommit: signal.Ring) : ReviewApplied.Failed(error);
    }
}
