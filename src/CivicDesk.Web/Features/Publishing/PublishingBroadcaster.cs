using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>
/// Incident updates and rumour rebuttals go out through the same publication service as newsroom posts: the same
/// per-network rules, media upload, retries, claim-then-record delivery and failures list. The reference a feature
/// keeps is "publication:{id}"; the publication's source ("incident-update:12") makes a second submit of the same
/// thing return the first publication instead of posting twice.
/// </summary>
public sealed class PublishingBroadcaster(
    CivicDeskDb db,
    PublicationService publications,
    PhotoStore photos,
    ILogger<PublishingBroadcaster> logger) : IBroadcaster
{
    private const string ReferencePrefix = "publication:";

    public async Task<IReadOnlyList<BroadcastProblem>> CheckAsync(BroadcastCheck check, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.ChannelIds.Count == 0)
        {
            return [];
        }

        var request = new PublicationRequest(check.Text, [.. check.ChannelIds.Select(id => new PublicationTarget(id))],
            [.. check.Images.Select(i => new PublicationImageInput(i.FileName, i.Data, i.AltText))], check.Link);
        var errors = await publications.ValidateAsync(request, ct);
        return errors.Select(e => new BroadcastProblem(
            e.Field.StartsWith("Images", StringComparison.Ordinal) ? BroadcastPart.Image
            : e.Field.StartsWith("Targets", StringComparison.Ordinal) && !e.Field.EndsWith(".Text", StringComparison.Ordinal) ? BroadcastPart.Channels
            : BroadcastPart.Text,
            e.Message)).ToList();
    }

    public async Task<string?> SubmitAsync(BroadcastRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = $"{request.Source}:{request.SourceId.ToString(CultureInfo.InvariantCulture)}";
        var existing = await db.Publications.Include(p => p.Deliveries)
            .Where(p => p.Source == source && p.Status != PublicationStatus.Cancelled)
            .OrderByDescending(p => p.Id).FirstOrDefaultAsync(ct);
        if (existing is not null)
        {
            // Sent again after a failure: the failed channels go out again, the delivered ones are left alone.
            foreach (var failed in existing.Deliveries.Where(d => d.State == DeliveryState.Failed).ToList())
            {
                await publications.RetryAsync(failed.Id, ct);
            }

            return Reference(existing.Id);
        }

        var images = new List<PublicationImageInput>();
        foreach (var image in request.Images)
        {
            var path = photos.Resolve(request.OrganisationId, image.StoredPath);
            if (path is null)
            {
                logger.LogWarning("The photo {StoredPath} for {Source} is missing; it is not sent", image.StoredPath, source);
                return null;
            }

            images.Add(new PublicationImageInput(Path.GetFileName(path), await File.ReadAllBytesAsync(path, ct), image.AltText));
        }

        var result = await publications.CreateAsync(new PublicationRequest(request.Text,
            [.. request.ChannelIds.Select(id => new PublicationTarget(id))], images, request.Link, Source: source), ct);
        if (!result.Succeeded && !(result.AwaitingReview && result.Id is not null))
        {
            logger.LogWarning("{Source} was not queued: {Errors}", source, string.Join("; ", result.Errors.Select(e => e.Message)));
            return null;
        }

        return Reference(result.Id!.Value);
    }

    public BroadcastLength? Measure(ChannelKind kind, string text, string? link)
    {
        if (!NetworkRules.Limits.TryGetValue(kind, out var limits))
        {
            return null;
        }

        var check = NetworkRules.Measure(kind, NetworkRules.Compose(text, link));
        return new BroadcastLength(check.Length, check.MaxLength, check.Unit, limits.Network);
    }

    public async Task<IReadOnlyList<BroadcastChannelState>> StatesAsync(long organisationId, string? reference, IReadOnlyList<long> channelIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channelIds);
        long? id = reference is not null && reference.StartsWith(ReferencePrefix, StringComparison.Ordinal)
            && long.TryParse(reference.AsSpan(ReferencePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        if (id is null)
        {
            return [.. channelIds.Select(c => new BroadcastChannelState(c, UnavailableBroadcaster.NotSent, "It was not queued for publishing", null))];
        }

        var publication = await db.Publications.AsNoTracking().Where(p => p.Id == id && p.OrganisationId == organisationId)
            .Select(p => new { p.Status }).SingleOrDefaultAsync(ct);
        var deliveries = await db.PublicationDeliveries.AsNoTracking().Where(d => d.PublicationId == id && d.OrganisationId == organisationId)
            .ToDictionaryAsync(d => d.ChannelId, ct);
        return [.. channelIds.Select(c => deliveries.TryGetValue(c, out var d)
            ? Describe(d, publication?.Status)
            : new BroadcastChannelState(c, UnavailableBroadcaster.NotSent, "This account was not part of the post", null))];
    }

    private static BroadcastChannelState Describe(PublicationDelivery d, PublicationStatus? status) => d.State switch
    {
        _ when status == PublicationStatus.AwaitingReview => new(d.ChannelId, "Awaiting review", "A mentor approves a trainee's post before it goes out", null),
        DeliveryState.Delivered => new(d.ChannelId, "Sent", d.DeliveredAt is { } at ? "at " + at.ToString("HH:mm d MMM", CultureInfo.InvariantCulture) : null, d.RemoteUrl),
        DeliveryState.Failed => new(d.ChannelId, "Failed", d.LastError, null),
        DeliveryState.Cancelled => new(d.ChannelId, "Cancelled", null, null),
        DeliveryState.InProgress => new(d.ChannelId, "Sending", null, null),
        _ => new(d.ChannelId, d.Attempts > 0 ? "Retrying" : "Queued", d.Attempts > 0 ? d.LastError : null, null),
    };

    private static string Reference(long publicationId) => ReferencePrefix + publicationId.ToString(CultureInfo.InvariantCulture);
}
