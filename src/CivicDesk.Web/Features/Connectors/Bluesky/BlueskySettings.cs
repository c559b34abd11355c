using System.Globalization;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>A channel's Bluesky settings, read from <see cref="ConnectorContext.Settings"/> (names are <see cref="BlueskyConnector.Fields"/>).</summary>
public sealed record BlueskySettings(
    bool PdsMode,
    string JetstreamUrl,
    string? ServiceUrl,
    string? Handle,
    IReadOnlyList<string> OrganisationDids,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> WatchedDids,
    TimeSpan PollInterval,
    TimeSpan CursorRewind,
    TimeSpan CheckpointInterval,
    string ReplyLanguage)
{
    public const string DefaultJetstream = "wss://jetstream2.us-east.bsky.network/subscribe";
    public const string DefaultService = "https://bsky.social";

    public static BlueskySettings From(ConnectorContext context)
    {
        var s = context.Settings;
        string? Get(string name) => s.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        double Number(string name, double fallback, double min, double max) =>
            double.TryParse(Get(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, min, max) : fallback;

        return new BlueskySettings(
            PdsMode: string.Equals(Get("Mode"), "pds", StringComparison.OrdinalIgnoreCase),
            JetstreamUrl: Get("JetstreamUrl") ?? DefaultJetstream,
            ServiceUrl: Get("ServiceUrl"),
            Handle: (Get("Handle") ?? context.Channel.Account)?.TrimStart('@'),
            OrganisationDids: BlueskyFilter.SplitList(Get("OrganisationDids")),
            Keywords: BlueskyFilter.SplitList(Get("Keywords")),
            WatchedDids: BlueskyFilter.SplitList(Get("WatchedDids")),
            PollInterval: TimeSpan.FromSeconds(Number("PollSeconds", 30, 0.05, 3600)),
            CursorRewind: TimeSpan.FromSeconds(Number("CursorRewindSeconds", 5, 0, 600)),
            CheckpointInterval: TimeSpan.FromSeconds(Number("CheckpointSeconds", 1, 0, 600)),
            ReplyLanguage: Get("ReplyLanguage") ?? "en");
    }

    public BlueskyFilter Filter(IEnumerable<string> extraDids) =>
        new(Handle is null ? [] : [Handle], OrganisationDids.Concat(extraDids), Keywords, WatchedDids);
}
