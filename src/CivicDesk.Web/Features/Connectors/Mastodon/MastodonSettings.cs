using System.Text.Json;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Features.Connectors.Mastodon;

/// <summary>A channel's Mastodon settings, read and checked once per run.</summary>
public sealed record MastodonSettings(Uri BaseUrl, Uri StreamingUrl, string AccessToken, IReadOnlyList<string> Hashtags, bool ListenToMentions, string ReplyVisibility)
{
    public static MastodonSettings Read(ConnectorContext context)
    {
        var baseUrl = AbsoluteUrl(context.Settings.GetValueOrDefault(MastodonConnector.BaseUrlField), "server address")
            ?? throw new InvalidOperationException("The Mastodon channel has no server address.");
        var streaming = AbsoluteUrl(context.Settings.GetValueOrDefault(MastodonConnector.StreamingUrlField), "streaming address") ?? baseUrl;
        var token = context.Secrets.GetValueOrDefault(MastodonConnector.AccessTokenField);
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidOperationException("The Mastodon channel has no access token.");
        }

        var hashtags = (context.Settings.GetValueOrDefault(MastodonConnector.HashtagsField) ?? "")
            .Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.TrimStart('#').ToLowerInvariant())
            .Where(t => t.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var mentions = !string.Equals(context.Settings.GetValueOrDefault(MastodonConnector.MentionsField)?.Trim(), "false", StringComparison.OrdinalIgnoreCase);
        var visibility = context.Settings.GetValueOrDefault(MastodonConnector.ReplyVisibilityField)?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(visibility))
        {
            visibility = "public";
        }

        if (MastodonReplies.Strictness(visibility) < 0)
        {
            throw new InvalidOperationException($"Reply visibility must be public, unlisted, private or direct, not \"{visibility}\".");
        }

        return new MastodonSettings(baseUrl, streaming, token.Trim(), hashtags, mentions, visibility);
    }

    private static Uri? AbsoluteUrl(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // A trailing slash makes relative API paths resolve under it.
        var text = value.Trim().TrimEnd('/') + "/";
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? uri
            : throw new InvalidOperationException($"The Mastodon {what} is not an http(s) address.");
    }
}

/// <summary>
/// Where each Mastodon stream got to, as one JSON object of strings: <c>mentions</c> (the newest mention
/// notification id), <c>tag:&lt;name&gt;</c> (the newest status id seen on that tag) and <c>lastEventId:&lt;stream&gt;</c>.
/// A snapshot is handed to the sink with its batch and adopted only once the sink has committed it.
/// </summary>
public sealed class MastodonCheckpoint
{
    private Dictionary<string, string> _values;

    public MastodonCheckpoint(string? serialised)
    {
        _values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(serialised))
        {
            return;
        }

        try
        {
            _values = JsonSerializer.Deserialize(serialised, MastodonJson.Default.DictionaryStringString) ?? _values;
        }
        catch (JsonException)
        {
            // An unreadable checkpoint means starting from now, which the caller's catch-up cannot improve on.
        }
    }

    private MastodonCheckpoint(Dictionary<string, string> values) => _values = values;

    public string? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>A copy with <paramref name="key"/> set; ids only move forward unless <paramref name="monotonic"/> is false.</summary>
    public MastodonCheckpoint With(string key, string value, bool monotonic = true)
    {
        var copy = new Dictionary<string, string>(_values, StringComparer.Ordinal);
        copy[key] = monotonic ? MastodonIds.Max(Get(key), value)! : value;
        return new MastodonCheckpoint(copy);
    }

    public void Accept(MastodonCheckpoint committed) => _values = committed._values;

    public string Serialise() => JsonSerializer.Serialize(_values, MastodonJson.Default.DictionaryStringString);
}

/// <summary>How a reply is addressed and how private it is.</summary>
public static class MastodonReplies
{
    private static readonly string[] Order = ["public", "unlisted", "private", "direct"];

    /// <summary>0 public … 3 direct; -1 for anything else.</summary>
    public static int Strictness(string visibility) => Array.IndexOf(Order, visibility);

    /// <summary>
    /// The citizen's visibility, or the channel's least private setting if that is stricter: a reply to a direct
    /// message stays direct, to a followers-only post stays followers-only, and is never more public than the post.
    /// Unknown values (newer servers, forks) are treated as direct, the safe side.
    /// </summary>
    public static string Visibility(string citizens, string leastPrivate)
    {
        var citizen = Strictness(citizens);
        if (citizen < 0)
        {
            return "direct";
        }

        return Order[Math.Max(citizen, Math.Max(0, Strictness(leastPrivate)))];
    }

    /// <summary>Mastodon only notifies and threads for the people mentioned, so the reply starts with the citizen's handle.</summary>
    public static string Address(string text, string acct)
    {
        var mention = "@" + acct;
        var trimmed = text.TrimStart();
        return trimmed.StartsWith(mention + " ", StringComparison.OrdinalIgnoreCase) || string.Equals(trimmed, mention, StringComparison.OrdinalIgnoreCase)
            ? trimmed
            : $"{mention} {trimmed}";
    }

    /// <summary>Stable for one outbound reply across retries and restarts, distinct across organisations.</summary>
    public static string IdempotencyKey(OutboundReply reply) => $"civicdesk-{reply.OrganisationId}-{reply.ChannelId}-{reply.OutboundId}";
}
