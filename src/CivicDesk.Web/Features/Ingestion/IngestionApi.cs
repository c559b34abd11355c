using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Globalization;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// <c>POST /api/v1/messages</c>: the machine ingest API for integrators (connectors, CRMs, bulk imports).
/// <para>
/// Authentication: header <c>X-Api-Key</c> = the ingest key of one channel; the key decides the channel and the
/// organisation (nothing in the body can change them). Missing, unknown or inactive key: 401.
/// </para>
/// <para>
/// Body (<c>application/json</c>, UTF-8):
/// <c>{"messages": [{"externalId", "text", "authorHandle", "authorName"?, "createdAt"?, "inReplyTo"?, "lat"?, "lon"?,
/// "language"?, "attachments"?: [{"url", "contentType"?, "fileName"?}]}]}</c>. Each message object is stored verbatim
/// as the message's raw payload; unknown fields are kept there and otherwise ignored.
/// </para>
/// <para>
/// Limits (section <c>Ingestion</c>, defaults): body at most <see cref="IngestionOptions.MaxRequestBytes"/> (4 MiB)
/// — 413, enforced while reading; 1 to <see cref="IngestionOptions.MaxBatchMessages"/> (1,000) messages — 413 above;
/// text at most <see cref="IngestionOptions.MaxTextLength"/> (10,000 UTF-16 code units) with at least one visible
/// character; externalId and authorHandle at most 200 characters; authorName and inReplyTo 200; language 16;
/// createdAt ISO 8601 (no offset = UTC); lat in [-90, 90] and lon in [-180, 180], both or neither; at most
/// <see cref="IngestionOptions.MaxAttachments"/> (10) attachments, each an absolute http(s) url (2,000 characters).
/// Requests per client address are rate-limited (<see cref="PlatformFeature.IngestRateLimit"/>): 429.
/// </para>
/// <para>
/// All or nothing: any problem refuses the whole request (400/413/415 as RFC 7807 problem details naming each
/// problem by JSON path, e.g. <c>messages[3].text</c>) and nothing is stored. An accepted request answers 200 only
/// after the batch has committed: <c>{"accepted", "alreadyKnown", "items": [{"externalId", "messageId",
/// "conversationId", "reference", "duplicate"}]}</c>. Re-sending is safe: a known (channel, externalId) is counted in
/// alreadyKnown and never stored twice. With a message broker configured (<c>RabbitMq:Uri</c>) the answer is 202 once
/// the broker has confirmed the batch durably queued: <c>{"queued", "externalIds"}</c>; a node stores it moments later,
/// each (channel, externalId) once, so re-sending stays safe. 503 (with Retry-After) while the service is starting or stopping or the
/// database is unavailable: nothing of the request was stored, and resending it is safe.
/// </para>
/// </summary>
public static class IngestionApi
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static RouteGroupBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        var messages = app.MapGroup("/api/v1/messages").WithTags("Ingestion").RequireRateLimiting(PlatformFeature.IngestRateLimit)
            // Machines authenticate with the channel's X-Api-Key, checked in the handler, not with a staff cookie.
            .AllowAnonymous();
        messages.MapPost("", PostMessagesAsync)
            .WithName("PostMessages")
            .WithSummary("Hand a batch of citizen messages to the ingest pipeline")
            .WithDescription(
                "Each message is normalised, triaged, routed and stored once per (channel, externalId); the answer comes only after " +
                "the batch is committed (200), or once a configured message broker confirmed it durably queued (202). All or " +
                "nothing: any problem refuses the whole request, names each problem by JSON path (e.g. `messages[3].text`) and " +
                "stores nothing. Re-sending is always safe. Limits (section `Ingestion`): body 4 MiB (413), 1,000 messages (413), " +
                "text 10,000 characters, 10 attachments; requests are rate-limited per key (429).")
            .RequiresApiKey()
            // No .Accepts<>(): its content-type filter would answer 415 before the handler could say why. The body is
            // described here instead; the handler reads it itself to keep each message object verbatim.
            .DescribesBody<RouteHandlerBuilder, IngestRequest>("A batch of 1 to 1,000 messages (UTF-8 JSON).", "application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return messages;
    }

    internal static async Task<Results<Ok<IngestResponse>, Accepted<IngestQueuedResponse>, ProblemHttpResult, ValidationProblem>> PostMessagesAsync(
        HttpContext http, ChannelDirectory channels, IngestPipeline pipeline, IngestBroker broker, IOptions<IngestionOptions> options,
        ILogger<IngestPipeline> logger, CancellationToken ct)
    {
        var limits = options.Value;
        var key = http.Request.Headers[ApiKeyHeader].ToString().Trim();
        if (key.Length == 0)
        {
            return Unauthorised(http, logger, null, "Missing API key", $"Send the channel's ingest key in the {ApiKeyHeader} header. Nothing was stored.");
        }

        var channel = await channels.FindByApiKeyAsync(key, ct);
        if (channel is null)
        {
            return Unauthorised(http, logger, null, "Unknown API key", $"No channel has the key sent in {ApiKeyHeader}. Nothing was stored.");
        }

        if (!channel.IsActive)
        {
            return Unauthorised(http, logger, channel.Id, "Channel not active", "The channel this key belongs to has been switched off. Nothing was stored.");
        }

        if (!IsUtf8Json(http.Request.ContentType))
        {
            return Refuse(logger, channel.Id, new IngestProblem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the batch as Content-Type: application/json (UTF-8). Nothing was stored."));
        }

        var body = await ReadBodyAsync(http, limits.MaxRequestBytes, ct);
        if (body is null)
        {
            // Not kept alive: Kestrel then drains the rest of an over-long upload only briefly (and discards it).
            http.Response.Headers.Connection = "close";
            return Refuse(logger, channel.Id, new IngestProblem(StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The body may be at most {limits.MaxRequestBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes; split the batch. Nothing was stored."));
        }

        IReadOnlyList<InboundPost>? posts;
        IngestProblem? problem;
        using (body)
        {
            // The posts hold their own strings, so the body goes back to the pool before the long wait for the commit.
            (posts, problem) = IngestRequestReader.Read(body.Written, limits);
        }

        if (problem is not null)
        {
            return Refuse(logger, channel.Id, problem);
        }

        IngestOutcome outcome;
        try
        {
            var batch = new IngestBatch(channel.OrganisationId, channel.Id, channel.Kind, posts!, Normalised: true);
            if (broker.IsEnabled)
            {
                // A surge-proof answer: durable in the broker now, stored by whichever node takes it next.
                await broker.PublishAsync(batch, ct);
                return TypedResults.Accepted((string?)null, new IngestQueuedResponse(posts!.Count, [.. posts.Select(p => p.ExternalId)]));
            }

            outcome = await pipeline.SubmitAsync(batch, ct);
        }
        catch (IngestUnavailableException e)
        {
            http.Response.Headers.RetryAfter = "5";
            return Refuse(logger, channel.Id, new IngestProblem(StatusCodes.Status503ServiceUnavailable, "Not taking messages right now",
                e.Message + " Nothing was stored by this request; send it again shortly."));
        }
        catch (Exception e) when (e is DbException or TimeoutException)
        {
            // An outage, already logged by the pipeline; the transaction rolled back, so resending is safe.
            http.Response.Headers.RetryAfter = "5";
            return Refuse(logger, channel.Id, new IngestProblem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
                "The database did not take the batch, so nothing of it was stored; sending it again later is safe."));
        }
        catch (ArgumentException e)
        {
            return Refuse(logger, channel.Id, new IngestProblem(StatusCodes.Status400BadRequest, "Invalid messages", e.Message + " Nothing was stored."));
        }

        return TypedResults.Ok(new IngestResponse(outcome.Accepted, outcome.AlreadyKnown,
            outcome.Items.Select(i => new IngestResponseItem(i.ExternalId, i.MessageId, i.ConversationId, i.ConversationReference, i.Duplicate)).ToList()));
    }

    /// <summary>Reads the body up to <paramref name="maxBytes"/>; null as soon as it is longer (it is not read further).</summary>
    private static async Task<PooledBody?> ReadBodyAsync(HttpContext http, int maxBytes, CancellationToken ct)
    {
        if (http.Request.ContentLength > maxBytes)
        {
            return null;
        }

        // Kestrel then refuses an over-long body itself (chunked too); the count below covers servers without the feature.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        var buffer = new PooledBody((int)Math.Min(http.Request.ContentLength ?? 16 * 1024, maxBytes) + 1);
        try
        {
            while (true)
            {
                var read = await http.Request.Body.ReadAsync(buffer.GetMemory(16 * 1024), ct);
                if (read == 0)
                {
                    var whole = buffer;
                    buffer = null;
                    return whole;
                }

                buffer.Advance(read);
                if (buffer.Written.Length > maxBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    /// <summary>
    /// A request body in an array from the shared pool, returned on dispose. A 1,000-message body is ~300 KB: a new array
    /// per request lands on the large-object heap, which only a full collection empties, and under a surge those
    /// arrays were a good part of the process's peak memory (bench/README.md, session 17).
    /// </summary>
    private sealed class PooledBody(int capacity) : IDisposable
    {
        private byte[] _array = ArrayPool<byte>.Shared.Rent(capacity);
        private int _length;

        public ReadOnlyMemory<byte> Written => _array.AsMemory(0, _length);

        public Memory<byte> GetMemory(int atLeast)
        {
            if (_array.Length - _length < atLeast)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _length + atLeast));
                _array.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = larger;
            }

            return _array.AsMemory(_length);
        }

        public void Advance(int count) => _length += count;

        public void Dispose()
        {
            if (_array.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_array);
                _array = [];
            }
        }
    }

    private static bool IsUtf8Json(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || media.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));

    private static ProblemHttpResult Unauthorised(HttpContext http, ILogger logger, long? channelId, string title, string detail)
    {
        http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeyHeader}\"";
        return (ProblemHttpResult)Refuse(logger, channelId, new IngestProblem(StatusCodes.Status401Unauthorized, title, detail)).Result;
    }

    private static Results<Ok<IngestResponse>, Accepted<IngestQueuedResponse>, ProblemHttpResult, ValidationProblem> Refuse(ILogger logger, long? channelId, IngestProblem problem)
    {
        IngestLog.RequestRefused(logger, problem.Status, channelId, problem.Title);
        return problem.Errors is { } errors
            ? TypedResults.ValidationProblem(errors, problem.Detail, title: problem.Title)
            : TypedResults.Problem(problem.Detail, statusCode: problem.Status, title: problem.Title);
    }
}

/// <summary>
/// The request body as the OpenAPI document describes it (<see cref="IngestRequestReader"/> checks it, with the
/// configured limits); the endpoint reads the JSON itself to keep each message object verbatim as its raw payload.
/// </summary>
public sealed record IngestRequest([property: Required, MinLength(1), MaxLength(1000)] IReadOnlyList<IngestRequestMessage> Messages);

/// <summary>One message; unknown fields are kept in the stored raw payload and otherwise ignored.</summary>
public sealed record IngestRequestMessage
{
    /// <summary>The sender's id for the message: the same id on the same channel is stored once.</summary>
    [Required, StringLength(200, MinimumLength = 1)] public required string ExternalId { get; init; }

    /// <summary>The citizen's words, with at least one visible character (at most Ingestion:MaxTextLength, 10,000).</summary>
    [Required, MinLength(1)] public required string Text { get; init; }

    /// <summary>The author's handle or address on the sending system.</summary>
    [Required, StringLength(200, MinimumLength = 1)] public required string AuthorHandle { get; init; }

    /// <summary>The author's display name.</summary>
    [StringLength(200)] public string? AuthorName { get; init; }

    /// <summary>When the citizen wrote it (ISO 8601; no offset means UTC); now when absent.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The externalId of the message this answers, to thread it onto that conversation.</summary>
    [StringLength(200)] public string? InReplyTo { get; init; }

    /// <summary>WGS84 latitude; send with lon.</summary>
    [Range(-90.0, 90.0)] public double? Lat { get; init; }

    /// <summary>WGS84 longitude; send with lat.</summary>
    [Range(-180.0, 180.0)] public double? Lon { get; init; }

    /// <summary>BCP 47 language tag, e.g. en or cy.</summary>
    [StringLength(16)] public string? Language { get; init; }

    /// <summary>At most Ingestion:MaxAttachments (10) links to photos or files.</summary>
    [MaxLength(10)] public IReadOnlyList<IngestRequestAttachment>? Attachments { get; init; }
}

/// <summary>A link to a photo or file that came with the message.</summary>
public sealed record IngestRequestAttachment
{
    /// <summary>Absolute http(s) URL (at most 2,000 characters).</summary>
    [Required, StringLength(2000), Url] public required string Url { get; init; }

    /// <summary>Its media type, e.g. image/jpeg.</summary>
    public string? ContentType { get; init; }

    /// <summary>Its file name.</summary>
    public string? FileName { get; init; }
}

/// <summary>200 answer: how many were stored now, how many were already known, and the ids of each.</summary>
public sealed record IngestResponse(int Accepted, int AlreadyKnown, IReadOnlyList<IngestResponseItem> Items);

/// <summary>202 answer with a broker: the batch is durably queued and will be stored once; ids follow in the inbox.</summary>
public sealed record IngestQueuedResponse(int Queued, IReadOnlyList<string> ExternalIds);

public sealed record IngestResponseItem(string ExternalId, long MessageId, long ConversationId, string Reference, bool Duplicate);
