using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Newsroom;

/// <summary>Write or edit a post; publish it (a trainee sends it for review); withdraw it; see and retry its announcements.</summary>
[Authorize(Policy = Policies.Newsroom)]
[RequestFormLimits(MultipartBodyLengthLimit = 10 * 1024 * 1024)]
[RequestSizeLimit(10 * 1024 * 1024)]
public sealed class EditModel(CivicDeskDb db, NewsService news, PublicationService publications, TimeProvider clock) : PageModel
{
    public sealed class PostInput
    {
        public string? Title { get; set; }
        public string? Summary { get; set; }
        public string? Body { get; set; }
        public string? Tags { get; set; }
        /// <summary>UK local time from a datetime-local input.</summary>
        public DateTime? EmbargoUntil { get; set; }
        public string? ChangeNote { get; set; }
        public List<long> ChannelIds { get; set; } = [];
        public Dictionary<long, string> Variants { get; set; } = [];
        public bool SplitIntoThread { get; set; }
    }

    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [BindProperty] public PostInput Input { get; set; } = new();
    [BindProperty] public IFormFile? Image { get; set; }
    [BindProperty] public string? ImageAlt { get; set; }
    [BindProperty] public string? WithdrawalReason { get; set; }
    [BindProperty] public long? DeliveryId { get; set; }
    [TempData] public string? Notice { get; set; }

    public NewsPost? Post { get; private set; }
    public IReadOnlyList<PublishingChannel> Channels { get; private set; } = [];
    public IReadOnlyList<DeliveryView> Deliveries { get; private set; } = [];
    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        if (Post is { } p)
        {
            var channels = NewsService.ReadChannels(p.ChannelsJson);
            Input = new PostInput
            {
                Title = p.Title, Summary = p.Summary, Body = p.BodyMarkdown, Tags = string.Join(", ", p.TagList),
                EmbargoUntil = p.EmbargoUntil is { } e ? TimeZoneInfo.ConvertTimeFromUtc(e, London) : null,
                ChannelIds = channels.Targets.Select(t => t.ChannelId).ToList(),
                Variants = channels.Targets.Where(t => t.Text is not null).ToDictionary(t => t.ChannelId, t => t.Text!),
                SplitIntoThread = channels.SplitIntoThread,
            };
        }

        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long? id, CancellationToken ct)
    {
        var saved = await SaveAsync(id, ct);
        if (saved is null)
        {
            return await ReshowAsync(id, ct);
        }

        Notice = "Saved";
        return Redirect($"/newsroom/edit/{saved}");
    }

    public async Task<IActionResult> OnPostPublishAsync(long? id, CancellationToken ct)
    {
        var saved = await SaveAsync(id, ct);
        if (saved is null)
        {
            return await ReshowAsync(id, ct);
        }

        var result = await news.PublishAsync(saved.Value, NewsroomFeature.BaseUrl(Request), ct);
        if (!result.Succeeded)
        {
            AddErrors(result.Errors);
            return await ReshowAsync(saved, ct);
        }

        Notice = result.Notice;
        return Redirect($"/newsroom/edit/{saved}");
    }

    public async Task<IActionResult> OnPostWithdrawAsync(long id, CancellationToken ct)
    {
        var result = await news.WithdrawAsync(id, WithdrawalReason, ct);
        if (!result.Succeeded)
        {
            AddErrors(result.Errors);
            return await ReshowAsync(id, ct);
        }

        Notice = result.Notice;
        return Redirect($"/newsroom/edit/{id}");
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct)
    {
        Notice = DeliveryId is { } d && await publications.RetryAsync(d, ct) ? "The announcement will be tried again now" : "Only a failed announcement can be retried";
        return Redirect($"/newsroom/edit/{id}");
    }

    private async Task<long?> SaveAsync(long? id, CancellationToken ct)
    {
        var uploads = new List<NewsImageUpload>();
        if (Image is { Length: > 0 })
        {
            if (Image.Length > NewsService.MaxImageBytes)
            {
                ModelState.AddModelError("Image", $"{Path.GetFileName(Image.FileName)} is {NetworkRules.Size(Image.Length)}; images must be {NetworkRules.Size(NewsService.MaxImageBytes)} or smaller");
                return null;
            }

            using var buffer = new MemoryStream();
            await Image.CopyToAsync(buffer, ct);
            uploads.Add(new NewsImageUpload(Path.GetFileName(Image.FileName), buffer.ToArray(), ImageAlt));
        }

        var targets = Input.ChannelIds.Distinct()
            .Select(c => new PublicationTarget(c, Input.Variants.TryGetValue(c, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null)).ToList();
        var embargo = Input.EmbargoUntil is { } local ? TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), London) : (DateTime?)null;
        var result = await news.SaveAsync(id, new NewsInput(Input.Title, Input.Summary, Input.Body, Input.Tags, embargo, Input.ChangeNote, targets, Input.SplitIntoThread), uploads, ct);
        if (!result.Succeeded)
        {
            AddErrors(result.Errors);
            return null;
        }

        return result.Id;
    }

    private void AddErrors(IEnumerable<PublicationError> errors)
    {
        foreach (var e in errors)
        {
            ModelState.AddModelError(e.Field, e.Message);
        }
    }

    private async Task<IActionResult> ReshowAsync(long? id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        Now = clock.GetUtcNow().UtcDateTime;
        Channels = await publications.ChannelsAsync(ct);
        if (id is null)
        {
            return true;
        }

        Post = await db.NewsPosts.AsNoTracking().Include(p => p.Images).Include(p => p.Changes).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (Post?.PublicationId is { } publicationId)
        {
            Deliveries = await publications.DeliveriesAsync(publicationId, failedOnly: false, ct);
        }

        return Post is not null;
    }

    /// <summary>
    /// The live length check: as the officer types (htmx posts the form after a pause), each account's count by its
    /// network's own rule comes back, and one polite status line says which accounts the text is too long for.
    /// </summary>
    public async Task<IActionResult> OnPostMeasureAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        return Partial("_Measure", this);
    }

    /// <summary>What goes to <paramref name="channel"/>: its own version, else the title and summary; with the post's link.</summary>
    public ChannelMeasure Measure(PublishingChannel channel)
    {
        var text = Input.Variants.TryGetValue(channel.ChannelId, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : $"{Input.Title}\n\n{Input.Summary}".Trim();
        var link = NewsService.PublicUrl(NewsroomFeature.BaseUrl(Request), Post?.Slug ?? NewsService.Slugify(Input.Title ?? "post"));
        var check = NetworkRules.Measure(channel.Kind, NetworkRules.Compose(text, link));
        var parts = check.Fits ? 1 : NetworkRules.Split(channel.Kind, text, link, Input.SplitIntoThread)?.Count;
        return new ChannelMeasure(channel, check, parts);
    }

    /// <summary>One account's count; <paramref name="Parts"/> is the thread length when it goes as a thread, null when it cannot go at all.</summary>
    public sealed record ChannelMeasure(PublishingChannel Channel, LengthCheck Check, int? Parts)
    {
        public bool TooLong => Parts is null;

        public string Words => Parts switch
        {
            null => $"{Check.Length} of {Check.MaxLength} {Check.Unit} with the link: too long for {Channel.Limits.Network}. Shorten it, write a shorter version{(Channel.Limits.HasThreads ? " or post it as a thread" : "")}",
            1 => $"{Check.Length} of {Check.MaxLength} {Check.Unit} with the link",
            var n => $"{Check.Length} {Check.Unit} with the link: goes as a thread of {n} posts ({Check.MaxLength} {Check.Unit} each)",
        };
    }
}
