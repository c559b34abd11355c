using System.Text;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// Puts one inbound post into the form CivicDesk stores: text trimmed, Unicode NFC, control characters removed
/// (newlines kept, tabs become spaces), lengths within the database columns, a creation time in UTC.
/// The API's request reader applies it while validating (so its batches are marked <see cref="IngestBatch.Normalised"/>);
/// the pipeline's prepare step applies it to posts from every other source. Each post is checked once.
/// </summary>
public static class PostNormaliser
{
    public const int MaxExternalIdLength = 200;
    public const int MaxHandleLength = 200;
    public const int MaxNameLength = 200;
    public const int MaxInReplyToLength = 200;
    public const int MaxLanguageLength = 16;
    public const int MaxEmailLength = 320;
    public const int MaxSubjectLength = 120;

    /// <summary>
    /// Normalises a post, or throws <see cref="ArgumentException"/> naming the post and field that cannot be stored.
    /// A post without a creation time gets <paramref name="now"/> (null: left for the pipeline to stamp with the time received).
    /// </summary>
    public static InboundPost Normalise(InboundPost post, int index, DateTime? now, int maxTextLength)
    {
        ArgumentNullException.ThrowIfNull(post);
        var externalId = post.ExternalId;
        if (string.IsNullOrWhiteSpace(externalId) || externalId.Length > MaxExternalIdLength || externalId.Any(char.IsControl))
        {
            throw new ArgumentException($"Post {index}: the external id must be 1 to {MaxExternalIdLength} characters without control characters.", nameof(post));
        }

        var text = Text(post.Text);
        if (text.Length == 0)
        {
            throw new ArgumentException($"Post {index}: the text is empty.", nameof(post));
        }

        if (text.Length > maxTextLength)
        {
            // Only reachable when NFC lengthened a text that passed validation; keep what fits rather than lose the post.
            text = Clamp(text, maxTextLength)!;
        }

        var handle = SingleLine(post.AuthorHandle);
        if (handle is null || handle.Length > MaxHandleLength)
        {
            throw new ArgumentException($"Post {index}: the author handle must be 1 to {MaxHandleLength} characters.", nameof(post));
        }

        var (lat, lon) = post.Latitude is { } la && post.Longitude is { } lo && IsLatitude(la) && IsLongitude(lo) ? (la, lo) : ((double?)null, (double?)null);
        return post with
        {
            Text = text,
            AuthorHandle = handle,
            AuthorName = Clamp(SingleLine(post.AuthorName), MaxNameLength),
            CreatedAt = post.CreatedAt is { } created ? ToUtc(created) : now,
            InReplyTo = Clamp(SingleLine(post.InReplyTo), MaxInReplyToLength),
            Latitude = lat,
            Longitude = lon,
            Language = Clamp(SingleLine(post.Language), MaxLanguageLength),
            CitizenEmail = Clamp(SingleLine(post.CitizenEmail), MaxEmailLength),
        };
    }

    /// <summary>Trim, strip control characters except newlines (CR LF and CR become LF, tab a space), then NFC.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\n':
                    sb.Append('\n');
                    break;
                case '\r':
                    sb.Append('\n');
                    if (i + 1 < value.Length && value[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\t':
                    sb.Append(' ');
                    break;
                case var _ when char.IsControl(c):
                    break;
                case var _ when char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]):
                    sb.Append(c).Append(value[++i]);
                    break;
                case var _ when char.IsSurrogate(c):
                    // A lone surrogate (possible through a JSON \uD800 escape) is not text; NFC would throw on it.
                    sb.Append('\uFFFD');
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        var cleaned = sb.ToString().Trim();
        return cleaned.IsNormalized(NormalizationForm.FormC) ? cleaned : cleaned.Normalize(NormalizationForm.FormC);
    }

    /// <summary>True when the text has something left after normalisation (a character that is neither space nor control).</summary>
    public static bool HasVisibleText(string? value) =>
        value is not null && value.Any(c => !char.IsWhiteSpace(c) && !char.IsControl(c));

    /// <summary>Subject of a new conversation: the first line of the text, at most 120 characters.</summary>
    public static string Subject(string text)
    {
        var firstLine = text.AsSpan().Trim();
        var newline = firstLine.IndexOfAny('\r', '\n');
        if (newline > 0)
        {
            firstLine = firstLine[..newline].TrimEnd();
        }

        if (firstLine.Length <= MaxSubjectLength)
        {
            return firstLine.ToString();
        }

        var cut = MaxSubjectLength - 1;
        if (char.IsHighSurrogate(firstLine[cut - 1]))
        {
            cut--;
        }

        return string.Concat(firstLine[..cut], "…");
    }

    public static bool IsLatitude(double value) => double.IsFinite(value) && value is >= -90 and <= 90;

    public static bool IsLongitude(double value) => double.IsFinite(value) && value is >= -180 and <= 180;

    /// <summary>Cuts to <paramref name="max"/> characters without splitting a surrogate pair.</summary>
    public static string? Clamp(string? value, int max)
    {
        if (value is null || value.Length <= max)
        {
            return value;
        }

        var cut = char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return value[..cut];
    }

    private static string? SingleLine(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = Text(value).Replace('\n', ' ');
        return text.Length == 0 ? null : text;
    }

    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
