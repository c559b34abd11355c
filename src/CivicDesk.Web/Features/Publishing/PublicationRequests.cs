using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>An image to publish: the uploaded bytes and its alt text (required: every network gets it).</summary>
public sealed record PublicationImageInput(string FileName, byte[] Data, string AltText);

/// <summary>A channel to publish on, with its own text (null: the publication's text).</summary>
public sealed record PublicationTarget(long ChannelId, string? Text = null);

/// <summary>
/// Everything <see cref="PublicationService.CreateAsync"/> needs. <paramref name="LinkUrl"/> is appended to every
/// channel's text on its own line (the newsroom page); <paramref name="DueAt"/> null means at once;
/// <paramref name="Source"/> lets the owning feature find its publication again ("news-post:12");
/// <paramref name="ForceReview"/> sends it to the review queue whoever writes it (a guest curator whose owner asked for review).
/// </summary>
public sealed record PublicationRequest(
    [property: Required] string Text,
    IReadOnlyList<PublicationTarget> Targets,
    IReadOnlyList<PublicationImageInput>? Images = null,
    string? LinkUrl = null,
    DateTime? DueAt = null,
    string? Source = null,
    bool SplitIntoThread = false,
    bool SkipReview = false,
    bool ForceReview = false);

/// <summary>A problem with the request, tied to a form field ("Targets[2].Text", "Images[0].AltText").</summary>
public sealed record PublicationError(string Field, string Message);

/// <summary>The publication's id, or the reasons it cannot be scheduled (nothing is saved then).</summary>
public sealed record PublicationResult(long? Id, IReadOnlyList<PublicationError> Errors, bool AwaitingReview = false)
{
    public bool Succeeded => Id is not null && Errors.Count == 0;
}

/// <summary>A connected account the organisation can publish to.</summary>
public sealed record PublishingChannel(long ChannelId, ChannelKind Kind, string Name, string? Account, NetworkLimits Limits);

/// <summary>One channel's state, for the publication page and the failures list.</summary>
public sealed record DeliveryView(long Id, long PublicationId, long ChannelId, string ChannelName, ChannelKind Kind, DeliveryState State, int Attempts,
    string? LastError, string? RemoteId, string? RemoteUrl, DateTime NextAttemptAt, DateTime? DeliveredAt);
