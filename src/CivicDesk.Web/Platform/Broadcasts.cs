using CivicDesk.Web.Domain;
using System.Globalization;

namespace CivicDesk.Web.Platform;

/// <summary>An image to go with a post, already stored and checked by content; alt text is required.</summary>
public sealed record BroadcastImage(string StoredPath, string ContentType, string AltText);

/// <summary>
/// One post from the organisation to some of its connected social accounts: an incident update, a rumour
/// rebuttal. <paramref name="Source"/> and <paramref name="SourceId"/> say what it is about (for the record and as an
/// idempotency key: the same source never posts twice).
/// </summary>
public sealed record BroadcastRequest(
    long OrganisationId,
    string Source,
    long SourceId,
    string Text,
    string? Link,
    IReadOnlyList<long> ChannelIds,
    IReadOnlyList<BroadcastImage> Images);

/// <summary>An image a form is about to attach (not stored yet), checked against each chosen network's limits.</summary>
public sealed record BroadcastDraftImage(string FileName, byte[] Data, string AltText);

/// <summary>A post that a form is about to send, checked before anything is saved.</summary>
public sealed record BroadcastCheck(string Text, string? Link, IReadOnlyList<long> ChannelIds, IReadOnlyList<BroadcastDraftImage> Images);

/// <summary>Why a post cannot go to the chosen channels, tied to the part of the form it is about.</summary>
public sealed record BroadcastProblem(BroadcastPart Part, string Message);

public enum BroadcastPart { Text, Image, Channels }

/// <summary>Where one channel's copy of a post stands, in words staff can read.</summary>
public sealed record BroadcastChannelState(long ChannelId, string State, string? Detail, string? ExternalUrl);

/// <summary>
/// The boundary between the features that speak (incidents, rumours) and the multichannel publishing service
/// (issue 9 items 1–3), which owns per-network text rules, media upload, retries and delivery state. Features never
/// call a network themselves.
/// </summary>
public interface IBroadcaster
{
    /// <summary>
    /// Every reason the post cannot go to the chosen channels by each network's own rules (length as the network counts
    /// it, image size and type, alt text); empty when it can. Forms call this before saving anything.
    /// </summary>
    Task<IReadOnlyList<BroadcastProblem>> CheckAsync(BroadcastCheck check, CancellationToken ct);

    /// <summary>Queues the post; returns the publishing service's reference, or null when nothing was queued.</summary>
    Task<string?> SubmitAsync(BroadcastRequest request, CancellationToken ct);

    /// <summary>Per-channel delivery state of a queued post.</summary>
    Task<IReadOnlyList<BroadcastChannelState>> StatesAsync(long organisationId, string? reference, IReadOnlyList<long> channelIds, CancellationToken ct);

    /// <summary>
    /// The text's length as <paramref name="kind"/>'s network counts it, with <paramref name="link"/> appended as it
    /// would be sent, for a live count while staff type; null when nothing can be posted to that kind of account.
    /// </summary>
    BroadcastLength? Measure(ChannelKind kind, string text, string? link);
}

/// <summary>One network's count of a post, in its own unit (characters, weighted characters, graphemes).</summary>
public sealed record BroadcastLength(int Length, int MaxLength, string Unit, string Network)
{
    public bool Fits => Length <= MaxLength;

    /// <summary>What the form shows under the account's name.</summary>
    public string Words => Fits
        ? $"{Length} of {MaxLength} {Unit} with the link"
        : $"{Length} of {MaxLength} {Unit} with the link: too long for {Network}";
}

/// <summary>
/// Used until the publishing service is installed: it queues nothing and says so on every channel, so staff never
/// believe a post went out when it did not. The web page (incident timeline, myths and facts) is unaffected.
/// </summary>
public sealed class UnavailableBroadcaster : IBroadcaster
{
    public const string NotSent = "Not sent";

    public Task<IReadOnlyList<BroadcastProblem>> CheckAsync(BroadcastCheck check, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BroadcastProblem>>([]);

    public Task<string?> SubmitAsync(BroadcastRequest request, CancellationToken ct) => Task.FromResult<string?>(null);

    public BroadcastLength? Measure(ChannelKind kind, string text, string? link) => null;

    public Task<IReadOnlyList<BroadcastChannelState>> StatesAsync(long organisationId, string? reference, IReadOnlyList<long> channelIds, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BroadcastChannelState>>(channelIds
            .Select(id => new BroadcastChannelState(id, NotSent, "The publishing service is not installed on this server", null)).ToList());
}

/// <summary>Channel id lists stored as "1,2,3".</summary>
public static class ChannelIdList
{
    public static IReadOnlyList<long> Parse(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0)
            .Where(id => id > 0).Distinct().ToList();

    public static string Format(IEnumerable<long> ids) =>
        string.Join(',', ids.Distinct().Order().Select(id => id.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>The kinds of channel a post can go to (the organisation's own accounts on social networks).</summary>
public static class BroadcastChannels
{
    public static readonly IReadOnlyList<Domain.ChannelKind> Kinds =
        [Domain.ChannelKind.Bluesky, Domain.ChannelKind.Mastodon, Domain.ChannelKind.Twitter, Domain.ChannelKind.Facebook];
}
