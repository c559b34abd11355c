using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivicDesk.Web.Features.Connectors.Rss;

/// <summary>What the RSS connector remembers per feed URL; stored as the channel's checkpoint (JSON).</summary>
public sealed class RssCheckpoint
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public Dictionary<string, FeedState> Feeds { get; init; } = new(StringComparer.Ordinal);

    public FeedState For(string url) => Feeds.TryGetValue(url, out var state) ? state : Feeds[url] = new FeedState();

    public string Write() => JsonSerializer.Serialize(this, Json);

    /// <summary>The checkpoint, or an empty one when there is none or it cannot be read (then every item is new once; the sink dedupes).</summary>
    public static RssCheckpoint Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new RssCheckpoint();
        }

        try
        {
            return JsonSerializer.Deserialize<RssCheckpoint>(json, Json) ?? new RssCheckpoint();
        }
        catch (JsonException)
        {
            return new RssCheckpoint();
        }
    }
}

/// <summary>One feed's validators, the items last seen (id → fingerprint, to spot edits) and its schedule.</summary>
public sealed class FeedState
{
    public string? ETag { get; set; }
    public string? LastModified { get; set; }
    public Dictionary<string, string> Seen { get; set; } = new(StringComparer.Ordinal);
    public DateTime? NextPollAt { get; set; }
    public int Failures { get; set; }
}
