using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivicDesk.Web.Features.Connectors.X;

// The subset of X API v2 objects the connector reads (X API v2 OpenAPI 2.167: Tweet, User, Media, Place,
// Expansions, StreamPostsResponse), named as on the wire through the snake_case policy of XJson.

/// <summary>
/// A post. <see cref="Delete"/> is not a post field: a compliance-stream line (<c>{"data":{"delete":…}}</c>,
/// schema <c>PostDeleteComplianceSchema</c>) has the same outer shape, so it is read through the same type.
/// </summary>
public sealed record XTweet(
    string Id,
    string? Text,
    string? AuthorId,
    DateTime? CreatedAt,
    string? ConversationId,
    string? InReplyToUserId,
    string? Lang,
    IReadOnlyList<XReferencedTweet>? ReferencedTweets,
    IReadOnlyList<string>? EditHistoryTweetIds,
    XEntities? Entities,
    XAttachments? Attachments,
    XTweetGeo? Geo,
    XNoteTweet? NoteTweet,
    XComplianceDelete? Delete);

public sealed record XReferencedTweet(string Type, string Id);

public sealed record XEntities(IReadOnlyList<XMentionEntity>? Mentions, IReadOnlyList<XHashtagEntity>? Hashtags, IReadOnlyList<XUrlEntity>? Urls);

public sealed record XMentionEntity(int Start, int End, string Username);

public sealed record XHashtagEntity(int Start, int End, string Tag);

public sealed record XUrlEntity(int Start, int End, string Url, string? ExpandedUrl, string? DisplayUrl, string? UnwoundUrl);

public sealed record XAttachments(IReadOnlyList<string>? MediaKeys);

public sealed record XTweetGeo(string? PlaceId);

/// <summary>Posts longer than 280 characters carry their full text here; <c>text</c> is then truncated.</summary>
public sealed record XNoteTweet(string? Text);

public sealed record XUser(string Id, string? Name, string? Username, DateTime? CreatedAt, bool? Protected, bool? Verified);

public sealed record XMedia(string MediaKey, string? Type, string? Url, string? PreviewImageUrl, string? AltText);

public sealed record XPlace(string Id, string? FullName, string? Name, string? CountryCode, string? PlaceType, XPlaceGeo? Geo);

/// <summary>GeoJSON bounding box: west, south, east, north.</summary>
public sealed record XPlaceGeo(IReadOnlyList<double>? Bbox);

public sealed record XIncludes(IReadOnlyList<XUser>? Users, IReadOnlyList<XTweet>? Tweets, IReadOnlyList<XMedia>? Media, IReadOnlyList<XPlace>? Places);

/// <summary>Which of the app's filtered-stream rules a post matched.</summary>
public sealed record XMatchingRule(string Id, string? Tag);

public sealed record XMeta(string? NewestId, string? OldestId, int? ResultCount, string? NextToken, DateTime? Sent);

public sealed record XProblem(string? Title, string? Detail, string? Type, string? Reason, string? Value, string? Message);

/// <summary>Any v2 response or stream line: <c>data</c> is one post (stream, lookup) or a list (search), normalised to a list.</summary>
public sealed record XResponse(
    [property: JsonConverter(typeof(XTweetListConverter))] IReadOnlyList<XTweet>? Data,
    XIncludes? Includes,
    IReadOnlyList<XMatchingRule>? MatchingRules,
    XMeta? Meta,
    IReadOnlyList<XProblem>? Errors,
    string? Title,
    string? Detail,
    string? Type,
    string? Reason);

public sealed record XComplianceDelete(XComplianceTweet? Tweet, DateTime? EventAt);

public sealed record XComplianceTweet(string Id, string? AuthorId);

/// <summary>A filtered-stream rule (<c>GET /2/tweets/search/stream/rules</c>).</summary>
public sealed record XRule(string? Id, string Value, string? Tag);

public sealed record XRulesResponse(IReadOnlyList<XRule>? Data, IReadOnlyList<XProblem>? Errors);

public sealed record XRulesAdd(IReadOnlyList<XRule> Add);

public sealed record XRulesDelete(XRuleIds Delete);

public sealed record XRuleIds(IReadOnlyList<string> Ids);

/// <summary><c>POST /2/tweets</c>.</summary>
public sealed record XCreatePost(string Text, XCreatePostReply Reply);

public sealed record XCreatePostReply(string InReplyToTweetId);

public sealed record XCreatedPost(string Id, string? Text);

public sealed record XCreatePostResponse(XCreatedPost? Data, IReadOnlyList<XProblem>? Errors, string? Title, string? Detail);

/// <summary>What is kept in <c>RawPayload</c>: the post, its author and the rules it matched.</summary>
public sealed record XStoredPost(XTweet Data, XUser? Author, IReadOnlyList<XMatchingRule>? MatchingRules);

internal sealed class XTweetListConverter : JsonConverter<IReadOnlyList<XTweet>>
{
    public override IReadOnlyList<XTweet>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.StartObject => [JsonSerializer.Deserialize(ref reader, XJson.Default.XTweet)!],
        JsonTokenType.StartArray => JsonSerializer.Deserialize(ref reader, XJson.Default.ListXTweet),
        JsonTokenType.Null => null,
        _ => throw new JsonException("data is neither an object nor an array"),
    };

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<XTweet> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToList(), XJson.Default.ListXTweet);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(XResponse))]
[JsonSerializable(typeof(XTweet))]
[JsonSerializable(typeof(List<XTweet>))]
[JsonSerializable(typeof(XRulesResponse))]
[JsonSerializable(typeof(XRulesAdd))]
[JsonSerializable(typeof(XRulesDelete))]
[JsonSerializable(typeof(XCreatePost))]
[JsonSerializable(typeof(XCreatePostResponse))]
[JsonSerializable(typeof(XStoredPost))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class XJson : JsonSerializerContext;
