using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;

namespace CivicDesk.Web.Features.Open311;

/// <summary>
/// A call's parameters: the form body (POST) and the query string (GET; FixMyStreet also puts api_key and
/// jurisdiction_id there). GeoReport v2: an empty parameter means the same as an absent one.
/// </summary>
public sealed partial class Open311Parameters(IFormCollection? form, IQueryCollection query)
{
    public string? this[string name] => Value(name);

    public string? Value(string name)
    {
        if (form is not null && form.TryGetValue(name, out var f) && First(f) is { } fromForm)
        {
            return fromForm;
        }

        return query.TryGetValue(name, out var q) ? First(q) : null;
    }

    /// <summary>Every non-empty value of a repeated parameter (media_url sent once per photo).</summary>
    public IReadOnlyList<string> Values(string name)
    {
        var values = new List<string>();
        if (form is not null && form.TryGetValue(name, out var f))
        {
            values.AddRange(f.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()));
        }

        if (values.Count == 0 && query.TryGetValue(name, out var q))
        {
            values.AddRange(q.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()));
        }

        return values;
    }

    /// <summary>
    /// <c>attribute[code]=v</c> (and a multivaluelist's <c>attribute[code][]=v</c>, repeated), by code; several values
    /// joined with commas.
    /// </summary>
    public IReadOnlyDictionary<string, List<string>> Attributes()
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        IEnumerable<KeyValuePair<string, StringValues>> all = form is null ? query : form.Concat(query);
        foreach (var (key, values) in all)
        {
            if (AttributeName().Match(key) is not { Success: true } m)
            {
                continue;
            }

            var code = m.Groups[1].Value;
            if (!result.TryGetValue(code, out var list))
            {
                result[code] = list = [];
            }

            list.AddRange(values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()));
        }

        return result;
    }

    /// <summary>
    /// A W3C datetime (ISO 8601, offset optional: none means UTC). A '+' in an un-encoded query string arrives as a
    /// space ("2026-01-01T10:00:00 01:00"), so a space before the offset is read as '+'.
    /// </summary>
    public static DateTimeOffset? ParseDatetime(string value)
    {
        var text = SpaceOffset().Replace(value.Trim(), "+$1");
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed)
            ? parsed : null;
    }

    private static string? First(StringValues values)
    {
        foreach (var v in values)
        {
            if (!string.IsNullOrWhiteSpace(v))
            {
                return v;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^attribute\[([^\[\]]{1,64})\](\[\])?$")]
    private static partial Regex AttributeName();

    [GeneratedRegex(@" (\d{2}:?\d{2})$")]
    private static partial Regex SpaceOffset();
}
