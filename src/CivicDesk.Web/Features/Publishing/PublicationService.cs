using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Review;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>
/// The one way features say something on the organisation's connected accounts (newsroom posts, incident updates,
/// rumour rebuttals). <see cref="CreateAsync"/> checks the text against every chosen network's real limits and
/// every image against its size and type limits (nothing is saved when one fails), then writes the publication and
/// one delivery row per channel in one transaction; <see cref="PublicationWorker"/> delivers them when due.
/// A trainee's publication waits in the review queue first.
/// </summary>
public sealed class PublicationService(
    CivicDeskDb db,
    AuditLog audit,
    ReviewQueue review,
    PublicationSignal signal,
    IHttpContextAccessor http,
    TimeProvider clock)
{
    public const string ReviewKind = "publication";
    public const long MaxUploadBytes = 16 * 1024 * 1024;

    /// <summary>The organisation's active channels on networks we publish to that have a connection configured.</summary>
    public async Task<IReadOnlyList<PublishingChannel>> ChannelsAsync(CancellationToken ct)
    {
        var kinds = NetworkRules.Limits.Keys.ToList();
        var rows = await db.Channels.AsNoTracking()
            .Where(c => c.IsActive && kinds.Contains(c.Kind))
            .Where(c => db.ChannelConnections.Any(x => x.ChannelId == c.Id))
            .OrderBy(c => c.Name)
            .Select(c => new { c.Id, c.Kind, c.Name, c.Account })
            .ToListAsync(ct);
        return rows.Select(r => new PublishingChannel(r.Id, r.Kind, r.Name, r.Account, NetworkRules.Limits[r.Kind])).ToList();
    }

    /// <summary>Every reason the request cannot be scheduled, by form field; empty when it can.</summary>
    public async Task<IReadOnlyList<PublicationError>> ValidateAsync(PublicationRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<PublicationError>();
        var text = request.Text?.Trim() ?? "";
        if (text.Length == 0)
        {
            errors.Add(new("Text", "Enter the text to publish"));
        }
        else if (text.Length > Publication.MaxTextLength)
        {
            errors.Add(new("Text", $"Text must be {Publication.MaxTextLength} characters or fewer"));
        }

        if (request.LinkUrl is { Length: > 0 } link && (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            errors.Add(new("LinkUrl", "The link must be a full web address starting https://"));
        }

        if (request.Targets.Count == 0)
        {
            errors.Add(new("Targets", "Select at least one account to publish to"));
        }

        if (request.Targets.Select(t => t.ChannelId).Distinct().Count() != request.Targets.Count)
        {
            errors.Add(new("Targets", "Each account can be chosen once"));
        }

        var channels = (await ChannelsAsync(ct)).ToDictionary(c => c.ChannelId);
        var images = request.Images ?? [];
        for (var i = 0; i < images.Count; i++)
        {
            var image = images[i];
            if (string.IsNullOrWhiteSpace(image.AltText))
            {
                errors.Add(new($"Images[{i}].AltText", $"Enter alt text for {image.FileName}: describe the image for people who cannot see it"));
            }

            if (image.Data.LongLength > MaxUploadBytes)
            {
                errors.Add(new($"Images[{i}]", $"{image.FileName} is {NetworkRules.Size(image.Data.LongLength)}; images must be {NetworkRules.Size(MaxUploadBytes)} or smaller"));
            }
            else if (NetworkRules.SniffImageType(image.Data) is null)
            {
                errors.Add(new($"Images[{i}]", $"{image.FileName} is not a JPEG, PNG, GIF or WebP image"));
            }
        }

        for (var t = 0; t < request.Targets.Count; t++)
        {
            var target = request.Targets[t];
            if (!channels.TryGetValue(target.ChannelId, out var channel))
            {
                errors.Add(new($"Targets[{t}]", "That account is not connected for publishing"));
                continue;
            }

            var channelText = string.IsNullOrWhiteSpace(target.Text) ? text : target.Text.Trim();
            if (channelText.Length > 0 && NetworkRules.Split(channel.Kind, channelText, request.LinkUrl, request.SplitIntoThread) is null)
            {
                var check = NetworkRules.Measure(channel.Kind, NetworkRules.Compose(channelText, request.LinkUrl));
                errors.Add(new($"Targets[{t}].Text", channel.Limits.HasThreads && !request.SplitIntoThread
                    ? $"The text for {channel.Name} is {check.Length} {check.Unit} with the link; {channel.Limits.Network} allows {check.MaxLength}. Shorten it, write a shorter version for {channel.Limits.Network}, or post it as a thread"
                    : $"The text for {channel.Name} is {check.Length} {check.Unit} with the link; {channel.Limits.Network} allows {check.MaxLength}. Shorten it or write a shorter version for {channel.Limits.Network}"));
            }

            if (images.Count > channel.Limits.MaxImages)
            {
                errors.Add(new("Images", $"{channel.Limits.Network} takes up to {channel.Limits.MaxImages} images; you added {images.Count}"));
            }

            for (var i = 0; i < images.Count; i++)
            {
                if (images[i].Data.LongLength <= MaxUploadBytes && NetworkRules.CheckImage(channel.Kind, images[i].FileName, images[i].Data, images[i].AltText ?? "") is { } problem)
                {
                    errors.Add(new($"Images[{i}]", problem));
                }
            }
        }

        if (request.DueAt is { } due && due < clock.GetUtcNow().UtcDateTime.AddMinutes(-1))
        {
            errors.Add(new("DueAt", "The publishing time must be in the future"));
        }

        return errors.DistinctBy(e => (e.Field, e.Message)).ToList();
    }

    /// <summary>Validates and schedules; nothing is saved when anything is wrong. A trainee's publication goes to review first.</summary>
    public async Task<PublicationResult> CreateAsync(PublicationRequest request, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, ct);
        if (errors.Count > 0)
        {
            return new PublicationResult(null, errors);
        }

        var user = http.HttpContext?.User;
        var now = clock.GetUtcNow().UtcDateTime;
        var needsReview = request.ForceReview || (!request.SkipReview && review.CurrentUserMustBeReviewed);
        var channels = (await ChannelsAsync(ct)).ToDictionary(c => c.ChannelId);
        var text = request.Text.Trim();
        var publication = new Publication
        {
            OrganisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation."),
            Text = text, LinkUrl = string.IsNullOrWhiteSpace(request.LinkUrl) ? null : request.LinkUrl, Source = request.Source,
            SplitIntoThread = request.SplitIntoThread, DueAt = request.DueAt, CreatedAt = now,
            Status = needsReview ? PublicationStatus.AwaitingReview : PublicationStatus.Scheduled,
            CreatedById = user?.StaffId(), CreatedByName = user?.Identity?.IsAuthenticated == true ? user.DisplayNameOf() : "system",
        };
        var images = request.Images ?? [];
        for (var i = 0; i < images.Count; i++)
        {
            publication.Images.Add(new PublicationImage
            {
                OrganisationId = publication.OrganisationId, Position = i, FileName = images[i].FileName,
                ContentType = NetworkRules.SniffImageType(images[i].Data)!, Data = images[i].Data, AltText = images[i].AltText.Trim(),
            });
        }

        foreach (var target in request.Targets)
        {
            publication.Deliveries.Add(new PublicationDelivery
            {
                OrganisationId = publication.OrganisationId, ChannelId = target.ChannelId, Kind = channels[target.ChannelId].Kind,
                Text = string.IsNullOrWhiteSpace(target.Text) ? text : target.Text.Trim(),
                NextAttemptAt = request.DueAt ?? now, IdempotencyKey = Guid.NewGuid().ToString("N"),
            });
        }

        db.Publications.Add(publication);
        // Inside a caller's write transaction (a mentor approving a trainee's news post) the publication commits, or
        // not, with the caller's work; otherwise in its own.
        var where = string.Join(", ", request.Targets.Select(t => channels[t.ChannelId].Name));
        // Disposed before the review queue opens its own transaction below (a guest curator's post).
        await using (var tx = db.HasWriteTransaction ? null : await db.BeginWriteTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            audit.Record(needsReview ? "publication.submitted" : "publication.scheduled", "Publication", publication.Id, null,
                $"to {where}{(request.DueAt is { } d ? " at " + d.ToString("u", CultureInfo.InvariantCulture) : " now")}; {images.Count} image(s)");
            await db.SaveChangesAsync(ct);
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
            }
        }

        if (needsReview)
        {
            var submitted = await review.SubmitAsync(new ReviewSubmission(ReviewKind, publication.Id.ToString(CultureInfo.InvariantCulture),
                $"Publication to {where}", text), ct);
            return new PublicationResult(publication.Id, submitted.Outcome == ReviewOutcome.Done ? [] : [new("Text", submitted.Error ?? "Could not send for review")], true);
        }

        signal.Ring();
        return new PublicationResult(publication.Id, []);
    }

    /// <summary>Sends a failed delivery again now (audited).</summary>
    public async Task<bool> RetryAsync(long deliveryId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var delivery = await db.PublicationDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, ct);
        if (delivery is null || delivery.State != DeliveryState.Failed)
        {
            return false;
        }

        delivery.State = DeliveryState.Pending;
        delivery.NextAttemptAt = now;
        delivery.Attempts = 0;   // a fresh set of automatic retries once someone has fixed the cause
        var publication = await db.Publications.SingleAsync(p => p.Id == delivery.PublicationId, ct);
        publication.Status = PublicationStatus.Scheduled;
        publication.CompletedAt = null;
        audit.Record("publication.retry-requested", "PublicationDelivery", delivery.Id, "Failed", "Queued");
        await db.SaveChangesAsync(ct);
        signal.Ring();
        return true;
    }

    /// <summary>Stops deliveries that have not gone out yet (a scheduled post withdrawn before its time).</summary>
    public async Task<int> CancelAsync(long publicationId, CancellationToken ct)
    {
        var publication = await db.Publications.Include(p => p.Deliveries).SingleOrDefaultAsync(p => p.Id == publicationId, ct);
        if (publication is null)
        {
            return 0;
        }

        var stopped = 0;
        foreach (var d in publication.Deliveries.Where(d => d.State is DeliveryState.Pending or DeliveryState.Failed))
        {
            d.State = DeliveryState.Cancelled;
            stopped++;
        }

        if (publication.Deliveries.All(d => d.State == DeliveryState.Cancelled))
        {
            publication.Status = PublicationStatus.Cancelled;
        }

        audit.Record("publication.cancelled", "Publication", publication.Id, null, $"{stopped} delivery(ies) stopped");
        await db.SaveChangesAsync(ct);
        return stopped;
    }

    public async Task<IReadOnlyList<DeliveryView>> DeliveriesAsync(long? publicationId, bool failedOnly, CancellationToken ct)
    {
        var rows = db.PublicationDeliveries.AsNoTracking();
        if (publicationId is { } id)
        {
            rows = rows.Where(d => d.PublicationId == id);
        }

        if (failedOnly)
        {
            rows = rows.Where(d => d.State == DeliveryState.Failed);
        }

        return await rows.OrderByDescending(d => d.Id).Take(500)
            .Join(db.Channels, d => d.ChannelId, c => c.Id, (d, c) => new DeliveryView(d.Id, d.PublicationId, d.ChannelId, c.Name, d.Kind, d.State, d.Attempts,
                d.LastError, d.RemoteId, d.RemoteUrl, d.NextAttemptAt, d.DeliveredAt))
            .ToListAsync(ct);
    }
}

/// <summary>Releases a trainee's publication when approved: the approved text replaces the text it was submitted with.</summary>
public sealed class PublicationReviewHandler(CivicDeskDb db, PublicationSignal signal, TimeProvider clock) : IReviewHandler
{
    public string Kind => PublicationService.ReviewKind;

    public string Label => "Publication";

    public string Link(ReviewItem item) => $"/publishing#publication-{item.SubjectId}";

    public async Task<ReviewApplied> ApplyAsync(ReviewItem item, string approvedText, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        var id = long.Parse(item.SubjectId, CultureInfo.InvariantCulture);
        var publication = await db.Publications.Include(p => p.Deliveries).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (publication is null || publication.Status != PublicationStatus.AwaitingReview)
        {
            return ReviewApplied.Failed("This publication is no longer waiting for review");
        }

        foreach (var d in publication.Deliveries.Where(d => d.Text == publication.Text))
        {
            d.Text = approvedText;
            if (NetworkRules.Split(d.Kind, approvedText, publication.LinkUrl, publication.SplitIntoThread) is null)
            {
                return ReviewApplied.Failed($"The edited text is too long for {NetworkRules.Limits[d.Kind].Network}");
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        publication.Text = approvedText;
        publication.Status = PublicationStatus.Scheduled;
        foreach (var d in publication.Deliveries)
        {
            d.NextAttemptAt = publication.DueAt is { } due && due > now ? due : now;
        }

        await db.SaveChangesAsync(ct);
        return new ReviewApplied(AfterCommit: signal.Ring);
    }
}
