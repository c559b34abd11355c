using System.Text.Json.Serialization;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>
/// An <c>app.bsky.feed.post</c> record as the lexicon defines it (only the fields CivicDesk reads). Used for Jetstream
/// JSON, listRecords/getRecord responses and, decoded from DAG-CBOR, firehose blocks.
/// </summary>
public sealed class PostRecord
{
    [JsonPropertyName("text")] public string? Text { get; set; }
    [JsonPropertyName("createdAt")] public string? CreatedAt { get; set; }
    [JsonPropertyName("langs")] public List<string>? Langs { get; set; }
    [JsonPropertyName("reply")] public ReplyRef? Reply { get; set; }
    [JsonPropertyName("facets")] public List<Facet>? Facets { get; set; }
    [JsonPropertyName("embed")] public Embed? Embed { get; set; }
}

public sealed class StrongRef
{
    [JsonPropertyName("uri")] public string? Uri { get; set; }
    [JsonPropertyName("cid")] public string? Cid { get; set; }
}

public sealed class ReplyRef
{
    [JsonPropertyName("root")] public StrongRef? Root { get; set; }
    [JsonPropertyName("parent")] public StrongRef? Parent { get; set; }
}

public sealed class Facet
{
    [JsonPropertyName("index")] public ByteSlice? Index { get; set; }
    [JsonPropertyName("features")] public List<FacetFeature>? Features { get; set; }
}

public sealed class ByteSlice
{
    [JsonPropertyName("byteStart")] public int ByteStart { get; set; }
    [JsonPropertyName("byteEnd")] public int ByteEnd { get; set; }
}

/// <summary>One feature of a facet: <c>#mention</c> (did), <c>#link</c> (uri) or <c>#tag</c> (tag).</summary>
public sealed class FacetFeature
{
    [JsonPropertyName("$type")] public string? Type { get; set; }
    [JsonPropertyName("did")] public string? Did { get; set; }
    [JsonPropertyName("uri")] public string? Uri { get; set; }
    [JsonPropertyName("tag")] public string? Tag { get; set; }
}

/// <summary>
/// app.bsky.embed.images / external / record / recordWithMedia / video in one shape: the union's members do not
/// overlap in field names except <c>record</c>, which is a strong ref in embed.record and a nested embed.record in
/// recordWithMedia (hence <see cref="EmbedRecord.Record"/>).
/// </summary>
public sealed class Embed
{
    [JsonPropertyName("$type")] public string? Type { get; set; }
    [JsonPropertyName("images")] public List<EmbedImage>? Images { get; set; }
    [JsonPropertyName("external")] public EmbedExternal? External { get; set; }
    [JsonPropertyName("record")] public EmbedRecord? Record { get; set; }
    [JsonPropertyName("media")] public Embed? Media { get; set; }
    [JsonPropertyName("video")] public Blob? Video { get; set; }
    [JsonPropertyName("alt")] public string? Alt { get; set; }
}

public sealed class EmbedImage
{
    [JsonPropertyName("alt")] public string? Alt { get; set; }
    [JsonPropertyName("image")] public Blob? Image { get; set; }
}

public sealed class EmbedExternal
{
    [JsonPropertyName("uri")] public string? Uri { get; set; }
    [JsonPropertyName("title")] public string? Title { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
}

public sealed class EmbedRecord
{
    [JsonPropertyName("uri")] public string? Uri { get; set; }
    [JsonPropertyName("cid")] public string? Cid { get; set; }
    [JsonPropertyName("record")] public EmbedRecord? Record { get; set; }
}

public sealed class Blob
{
    [JsonPropertyName("ref")] public BlobLink? Ref { get; set; }
    [JsonPropertyName("mimeType")] public string? MimeType { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
}

public sealed class BlobLink
{
    [JsonPropertyName("$link")] public string? Link { get; set; }
}

[JsonSerializable(typeof(PostRecord))]
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
internal sealed partial class BlueskyJsonContext : JsonSerializerContext;
