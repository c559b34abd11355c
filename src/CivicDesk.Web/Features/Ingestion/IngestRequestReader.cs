using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>A refusal of the whole request, as RFC 7807 problem details.</summary>
internal sealed record IngestProblem(int Status, string Title, string Detail, Dictionary<string, string[]>? Errors = null);

/// <summary>
/// Reads and checks the body of <c>POST /api/v1/messages</c>: UTF-8, JSON, a non-empty <c>messages</c> array within
/// the limits, each message with the fields it needs. All or nothing: the first problem found anywhere refuses the
/// whole request, and every problem found is listed by JSON path (e.g. <c>messages[3].text</c>).
/// </summary>
internal static class IngestRequestReader
{
    public const int MaxUrlLength = 2_000;
    public const int MaxContentTypeLength = 100;
    public const int MaxFileNameLength = 255;
    private const int MaxListedErrors = 50;
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static (IReadOnlyList<InboundPost>? Posts, IngestProblem? Problem) Read(ReadOnlyMemory<byte> body, IngestionOptions limits)
    {
        if (body.Span.StartsWith(Bom))
        {
            body = body[Bom.Length..];
        }

        if (!Utf8.IsValid(body.Span))
        {
            return (null, new IngestProblem(400, "Body is not valid UTF-8",
                $"The body must be UTF-8; the byte at offset {FirstInvalidUtf8(body.Span).ToString("N0", CultureInfo.InvariantCulture)} is not. Nothing was stored."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            return (null, new IngestProblem(400, "Malformed JSON",
                $"The body is not valid JSON at line {line}, byte {column} of that line. Nothing was stored."));
        }

        using (document)
        {
            return Read(document.RootElement, limits);
        }
    }

    private static (IReadOnlyList<InboundPost>?, IngestProblem?) Read(JsonElement root, IngestionOptions limits)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("messages", out var messages))
        {
            return (null, new IngestProblem(400, "Missing messages",
                "The body must be a JSON object with a \"messages\" array, e.g. {\"messages\": [{\"externalId\": \"1\", \"text\": \"…\", \"authorHandle\": \"@citizen\"}]}. Nothing was stored."));
        }

        if (messages.ValueKind != JsonValueKind.Array)
        {
            return (null, new IngestProblem(400, "Missing messages", $"\"messages\" must be an array, not {Kind(messages)}. Nothing was stored."));
        }

        var count = messages.GetArrayLength();
        if (count == 0)
        {
            return (null, new IngestProblem(400, "Empty batch", "\"messages\" is empty: send 1 to " +
                limits.MaxBatchMessages.ToString("N0", CultureInfo.InvariantCulture) + " messages per request. Nothing was stored."));
        }

        if (count > limits.MaxBatchMessages)
        {
            return (null, new IngestProblem(413, "Too many messages",
                $"This request has {count.ToString("N0", CultureInfo.InvariantCulture)} messages; a request may carry at most " +
                $"{limits.MaxBatchMessages.ToString("N0", CultureInfo.InvariantCulture)}. Split the batch. Nothing was stored."));
        }

        var errors = new Errors();
        var posts = new List<InboundPost>(count);
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (ReadMessage(message, index, limits, errors) is { } post)
            {
                posts.Add(post);
            }

            index++;
        }

        if (errors.Count > 0)
        {
            var first = errors.First;
            var more = errors.Count > 1 ? $" and {errors.Count - 1} more problem(s) (see errors)" : "";
            return (null, new IngestProblem(400, "Invalid messages", $"{first}{more}. Nothing was stored: fix the batch and send all of it again.", errors.ToDictionary()));
        }

        return (posts, null);
    }

    private static InboundPost? ReadMessage(JsonElement message, int index, IngestionOptions limits, Errors errors)
    {
        var at = $"messages[{index.ToString(CultureInfo.InvariantCulture)}]";
        if (message.ValueKind != JsonValueKind.Object)
        {
            errors.Add(at, $"{at} must be an object, not {Kind(message)}");
            return null;
        }

        var before = errors.Count;
        var externalId = RequiredString(message, at, "externalId", PostNormaliser.MaxExternalIdLength, errors);
        if (externalId is not null && externalId.Any(char.IsControl))
        {
            errors.Add($"{at}.externalId", $"{at}.externalId contains control characters");
        }

        var text = RequiredString(message, at, "text", limits.MaxTextLength, errors);
        if (text is not null && !PostNormaliser.HasVisibleText(text))
        {
            errors.Add($"{at}.text", $"{at}.text has no visible characters");
        }

        var handle = RequiredString(message, at, "authorHandle", PostNormaliser.MaxHandleLength, errors);
        var name = OptionalString(message, at, "authorName", PostNormaliser.MaxNameLength, errors);
        var inReplyTo = OptionalString(message, at, "inReplyTo", PostNormaliser.MaxInReplyToLength, errors);
        var language = OptionalString(message, at, "language", PostNormaliser.MaxLanguageLength, errors);
        var createdAt = CreatedAt(message, at, errors);
        var (lat, lon) = Position(message, at, errors);
        var attachments = Attachments(message, at, limits, errors);
        if (errors.Count > before)
        {
            return null;
        }

        var post = new InboundPost(externalId!, text!, handle!, name, createdAt, inReplyTo, lat, lon, language,
            Attachments: attachments, RawPayload: message.GetRawText());
        try
        {
            // Cleaned here, once: the batch goes to the pipeline marked as normalised.
            return PostNormaliser.Normalise(post, index, null, limits.MaxTextLength);
        }
        catch (ArgumentException e)
        {
            errors.Add(at, e.Message.Split(" (Parameter", 2)[0]);
            return null;
        }
    }

    private static string? RequiredString(JsonElement message, string at, string name, int maxLength, Errors errors)
    {
        if (!message.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{at}.{name}", $"{at}.{name} is missing");
            return null;
        }

        var s = StringOf(value, at, name, maxLength, errors);
        if (s is not null && string.IsNullOrWhiteSpace(s))
        {
            errors.Add($"{at}.{name}", $"{at}.{name} is empty");
            return null;
        }

        return s;
    }

    private static string? OptionalString(JsonElement message, string at, string name, int maxLength, Errors errors) =>
        message.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? StringOf(value, at, name, maxLength, errors) : null;

    private static string? StringOf(JsonElement value, string at, string name, int maxLength, Errors errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{at}.{name}", $"{at}.{name} must be a string, not {Kind(value)}");
            return null;
        }

        string s;
        try
        {
            s = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Valid JSON, but an escape such as "\ud800" names half of a surrogate pair: no text can hold it (found by fuzzing).
            errors.Add($"{at}.{name}", $"{at}.{name} is not valid Unicode: it escapes half of a surrogate pair (\\uD800–\\uDFFF) without the other half");
            return null;
        }

        if (s.Length > maxLength)
        {
            errors.Add($"{at}.{name}", $"{at}.{name} is {s.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; the limit is {maxLength.ToString("N0", CultureInfo.InvariantCulture)}");
            return null;
        }

        return s;
    }

    private static DateTime? CreatedAt(JsonElement message, string at, Errors errors)
    {
        if (!message.TryGetProperty("createdAt", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // ISO 8601 only (e.g. 2026-05-01T09:30:00Z); no offset means UTC.
        if (value.ValueKind != JsonValueKind.String || !value.TryGetDateTime(out var parsed))
        {
            errors.Add($"{at}.createdAt", $"{at}.createdAt is not an ISO 8601 date and time such as 2026-05-01T09:30:00Z");
            return null;
        }

        return parsed.Kind switch
        {
            DateTimeKind.Utc => parsed,
            DateTimeKind.Local => parsed.ToUniversalTime(),
            _ => DateTime.SpecifyKind(parsed, DateTimeKind.Utc),
        };
    }

    private static (double?, double?) Position(JsonElement message, string at, Errors errors)
    {
        var lat = Number(message, at, "lat", errors);
        var lon = Number(message, at, "lon", errors);
        if (lat is { } la && !PostNormaliser.IsLatitude(la))
        {
            errors.Add($"{at}.lat", $"{at}.lat is {la.ToString(CultureInfo.InvariantCulture)}; a latitude is between -90 and 90");
        }

        if (lon is { } lo && !PostNormaliser.IsLongitude(lo))
        {
            errors.Add($"{at}.lon", $"{at}.lon is {lo.ToString(CultureInfo.InvariantCulture)}; a longitude is between -180 and 180");
        }

        if (lat.HasValue != lon.HasValue)
        {
            errors.Add($"{at}.{(lat.HasValue ? "lon" : "lat")}", $"{at} has only one of lat and lon; give both or neither");
        }

        return (lat, lon);
    }

    private static double? Number(JsonElement message, string at, string name, Errors errors)
    {
        if (!message.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            errors.Add($"{at}.{name}", $"{at}.{name} must be a number, not {Kind(value)}");
            return null;
        }

        return number;
    }

    private static List<AttachmentInfo>? Attachments(JsonElement message, string at, IngestionOptions limits, Errors errors)
    {
        if (!message.TryGetProperty("attachments", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{at}.attachments", $"{at}.attachments must be an array, not {Kind(value)}");
            return null;
        }

        if (value.GetArrayLength() > limits.MaxAttachments)
        {
            errors.Add($"{at}.attachments", $"{at}.attachments lists {value.GetArrayLength()} attachments; the limit is {limits.MaxAttachments}");
            return null;
        }

        var list = new List<AttachmentInfo>();
        var i = 0;
        foreach (var attachment in value.EnumerateArray())
        {
            var path = $"{at}.attachments[{i++}]";
            if (attachment.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, $"{path} must be an object, not {Kind(attachment)}");
                continue;
            }

            var url = RequiredString(attachment, path, "url", MaxUrlLength, errors);
            if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            {
                errors.Add($"{path}.url", $"{path}.url is not an absolute http or https URL");
                continue;
            }

            var contentType = OptionalString(attachment, path, "contentType", MaxContentTypeLength, errors);
            var fileName = OptionalString(attachment, path, "fileName", MaxFileNameLength, errors);
            if (url is not null)
            {
                list.Add(new AttachmentInfo(fileName ?? "", contentType ?? "", 0, null, url));
            }
        }

        return list;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out _, out var consumed) != OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return bytes.Length;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>Problems by JSON path; lists the first 50 and counts the rest.</summary>
    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _byPath = new(StringComparer.Ordinal);

        public int Count { get; private set; }

        public string First { get; private set; } = "";

        public void Add(string path, string problem)
        {
            if (Count++ == 0)
            {
                First = problem;
            }

            if (Count <= MaxListedErrors)
            {
                (_byPath.TryGetValue(path, out var list) ? list : _byPath[path] = []).Add(problem);
            }
        }

        public Dictionary<string, string[]> ToDictionary() => _byPath.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }
}
