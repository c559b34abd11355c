using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CivicDesk.Web.Features.Connectors.X;

public enum XMode
{
    /// <summary>Filtered stream; falls back to polling when the app's tier has no streaming (403 client-not-enrolled).</summary>
    Auto,
    Stream,
    /// <summary>Recent search at an interval: the cheapest tier.</summary>
    Poll,
}

/// <summary>A channel's X settings, read and checked once per run.</summary>
public sealed record XSettings(Uri BaseUrl, string? AppBearerToken, string? UserAccessToken, XMode Mode, TimeSpan PollInterval, IReadOnlyList<string> Rules,
    IReadOnlyList<string> Handles)
{
    public const string DefaultBaseUrl = "https://api.x.com/";

    /// <summary>Recent search allows 512 characters of query on the self-serve tiers.</summary>
    public const int MaxQueryLength = 512;

    public static XSettings Read(ConnectorContext context)
    {
        var rawUrl = context.Settings.GetValueOrDefault(XConnector.BaseUrlField);
        var text = (string.IsNullOrWhiteSpace(rawUrl) ? DefaultBaseUrl : rawUrl.Trim()).TrimEnd('/') + "/";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException("The X API address is not an http(s) address.");
        }

        var mode = context.Settings.GetValueOrDefault(XConnector.ModeField)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => XMode.Auto,
            "stream" => XMode.Stream,
            "poll" => XMode.Poll,
            var other => throw new InvalidOperationException($"Mode must be auto, stream or poll, not \"{other}\"."),
        };
        var seconds = context.Settings.GetValueOrDefault(XConnector.PollIntervalField);
        var interval = TimeSpan.FromMinutes(15);
        if (!string.IsNullOrWhiteSpace(seconds))
        {
            if (!int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s < 5 || s > 86_400)
            {
                throw new InvalidOperationException("The polling interval must be a whole number of seconds from 5 to 86400.");
            }

            interval = TimeSpan.FromSeconds(s);
        }

        var rules = (context.Settings.GetValueOrDefault(XConnector.RulesField) ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        var handles = (context.Settings.GetValueOrDefault(XConnector.HandlesField) ?? "")
            .Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => h.TrimStart('@')).Where(h => h.Length > 0).ToList();
        rules.AddRange(handles.Select(h => "@" + h));

        return new XSettings(baseUrl, Secret(context, XConnector.AppBearerTokenField), Secret(context, XConnector.UserAccessTokenField), mode, interval,
            rules.Distinct(StringComparer.Ordinal).ToList(), handles);
    }

    /// <summary>The rules as few recent-search queries as fit in <see cref="MaxQueryLength"/>: <c>(a) OR (b) …</c>.</summary>
    public IReadOnlyList<string> PollQueries()
    {
        var queries = new List<string>();
        var current = new StringBuilder();
        foreach (var rule in Rules)
        {
            var part = Rules.Count == 1 ? rule : $"({rule})";
            if (current.Length > 0 && current.Length + 4 + part.Length > MaxQueryLength)
            {
                queries.Add(current.ToString());
                current.Clear();
            }

            current.Append(current.Length > 0 ? " OR " : "").Append(part);
        }

        if (current.Length > 0)
        {
            queries.Add(current.ToString());
        }

        return queries;
    }

    private static string? Secret(ConnectorContext context, string name) =>
        context.Secrets.GetValueOrDefault(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>The checkpoint: the newest post id committed, as <c>{"newest_id":"…"}</c> (the <c>since_id</c> of the next search).</summary>
public static class XCheckpoint
{
    public static string? NewestId(string? checkpoint)
    {
        if (string.IsNullOrWhiteSpace(checkpoint))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(checkpoint, XJson.Default.DictionaryStringString)?.GetValueOrDefault("newest_id");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Of(string newestId) => JsonSerializer.Serialize(new Dictionary<string, string> { ["newest_id"] = newestId }, XJson.Default.DictionaryStringString);
}
