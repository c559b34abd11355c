using System.Globalization;
using System.Net.Mail;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Open311;

/// <summary>
/// Checks the parameters of each call against GeoReport v2 and the service's definition. Every problem of a call is
/// reported at once (the spec's error list may hold several), each naming the parameter to fix.
/// </summary>
public static class Open311RequestValidator
{
    /// <summary>GeoReport v2: "description … may not be longer than 4,000 characters".</summary>
    public const int MaxDescription = 4000;

    private const int MaxShortField = 200;

    public static (NewServiceRequest? Request, List<string> Problems) Validate(Open311Parameters p, long organisationId, string clientName, string serviceCode,
        IReadOnlyList<Open311ServiceAttribute> definition)
    {
        var problems = new List<string>();

        // Location: lat+long, or address_string, or address_id (FixMyStreet sends address_id=#NOTPINPOINTED# for Bromley).
        double? lat = null, lng = null;
        var latText = p["lat"]?.Trim();
        var longText = p["long"]?.Trim();
        if (latText is not null || longText is not null)
        {
            if (latText is null || longText is null)
            {
                problems.Add("lat and long must be sent together");
            }
            else
            {
                lat = Coordinate(latText, 90, "lat", problems);
                lng = Coordinate(longText, 180, "long", problems);
            }
        }

        var addressString = Short(p["address_string"], "address_string", 500, problems);
        var addressId = Short(p["address_id"], "address_id", MaxShortField, problems);
        if (latText is null && longText is null && addressString is null && addressId is null)
        {
            problems.Add("A location is required: lat and long, or address_string, or address_id");
        }

        // Kept exactly as sent (FixMyStreet's CRLF line breaks included); only the length is checked.
        var description = p["description"];
        if (description is { Length: > MaxDescription })
        {
            problems.Add($"description must be {MaxDescription.ToString("N0", CultureInfo.InvariantCulture)} characters or fewer");
        }

        var email = Short(p["email"], "email", 320, problems);
        if (email is not null && !MailAddress.TryCreate(email, out _))
        {
            problems.Add("email is not a valid email address");
        }

        var mediaUrls = p.Values("media_url");
        foreach (var url in mediaUrls)
        {
            if (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add("media_url must be an absolute http or https URL");
            }
        }

        var attributes = Attributes(p, definition, problems);
        var request = new NewServiceRequest(
            organisationId, clientName, serviceCode, description, lat, lng, addressString, addressId, email,
            Short(p["first_name"], "first_name", MaxShortField, problems),
            Short(p["last_name"], "last_name", MaxShortField, problems),
            Short(p["phone"], "phone", 50, problems),
            // The spec's device_id, or FixMyStreet's spelling deviceid.
            Short(p["device_id"] ?? p["deviceid"], "device_id", MaxShortField, problems),
            Short(p["account_id"], "account_id", MaxShortField, problems),
            mediaUrls, attributes, []);
        return (problems.Count == 0 ? request : null, problems);
    }

    /// <summary>
    /// Answers checked against the definition: required ones present, numbers numbers, datetimes W3C, list answers
    /// among the keys. Attributes not in the definition are kept as sent (FixMyStreet adds fixmystreet_id, uprn…).
    /// </summary>
    private static Dictionary<string, string> Attributes(Open311Parameters p, IReadOnlyList<Open311ServiceAttribute> definition, List<string> problems)
    {
        var sent = p.Attributes();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (code, values) in sent)
        {
            if (values.Count > 0)
            {
                result[code] = string.Join(',', values);
            }
        }

        foreach (var a in definition.Where(a => a.Variable))
        {
            var values = sent.TryGetValue(a.Code, out var v) ? v : [];
            if (values.Count == 0)
            {
                if (a.Required)
                {
                    problems.Add($"attribute[{a.Code}] is required ({a.Description})");
                }

                continue;
            }

            if (a.Datatype != Open311Datatype.MultiValueList && values.Count > 1)
            {
                problems.Add($"attribute[{a.Code}] takes one value");
                continue;
            }

            var value = values[0];
            switch (a.Datatype)
            {
                case Open311Datatype.Number when !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                    problems.Add($"attribute[{a.Code}] must be a number");
                    break;
                case Open311Datatype.Datetime when Open311Parameters.ParseDatetime(value) is null:
                    problems.Add($"attribute[{a.Code}] must be a W3C datetime, e.g. 2026-07-01T09:30:00+01:00");
                    break;
                case Open311Datatype.Line when value.Length > 500:
                case Open311Datatype.Text when value.Length > MaxDescription:
                    problems.Add($"attribute[{a.Code}] is too long");
                    break;
                case Open311Datatype.SingleValueList or Open311Datatype.MultiValueList:
                    foreach (var key in values.Where(key => !a.Values.Any(x => x.Key == key)))
                    {
                        problems.Add($"attribute[{a.Code}] value {key} is not one of: {string.Join(", ", a.Values.Select(x => x.Key))}");
                    }

                    break;
            }
        }

        return result;
    }

    /// <summary>GET requests filters (GeoReport v2): ids override the rest; window defaults to the last 90 days.</summary>
    public static (ServiceRequestQuery? Query, Open311Failure? Failure) Query(Open311Parameters p, DateTime now, Open311Options options)
    {
        var max = options.MaxRequests;
        if (p["max_requests"] is { } maxText)
        {
            if (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out var asked) || asked < 1)
            {
                return (null, Open311Failure.BadRequest("max_requests must be a positive whole number"));
            }

            max = Math.Min(asked, options.MaxRequests);
        }

        if (List(p["service_request_id"]) is { } ids)
        {
            return ids.Count > options.MaxRequests
                ? (null, Open311Failure.BadRequest($"Ask for at most {options.MaxRequests} service_request_id values at once"))
                : (new ServiceRequestQuery(ids, null, DateTime.MinValue, DateTime.MaxValue, null, max), null);
        }

        var (from, to, failure) = Window(p, now, TimeSpan.FromDays(options.DefaultWindowDays), TimeSpan.FromDays(options.DefaultWindowDays));
        if (failure is not null)
        {
            return (null, failure);
        }

        bool? open = null;
        if (List(p["status"]) is { } statuses)
        {
            var wanted = statuses.Select(s => s.ToLowerInvariant()).Distinct().ToList();
            if (wanted.Any(s => s is not ("open" or "closed")))
            {
                return (null, Open311Failure.BadRequest("status must be open, closed or open,closed"));
            }

            open = wanted.Count == 2 ? null : wanted[0] == "open";
        }

        return (new ServiceRequestQuery(null, List(p["service_code"]), from, to, open, max), null);
    }

    /// <summary>start_date/end_date: W3C datetimes; either may be left out; the span is at most <paramref name="maxSpan"/>.</summary>
    public static (DateTime From, DateTime To, Open311Failure? Failure) Window(Open311Parameters p, DateTime now, TimeSpan defaultSpan, TimeSpan maxSpan)
    {
        var problems = new List<string>();
        var start = Date(p["start_date"], "start_date", problems);
        var end = Date(p["end_date"], "end_date", problems);
        if (problems.Count > 0)
        {
            return (default, default, Open311Failure.BadRequest([.. problems]));
        }

        var to = end ?? (start is { } s0 && s0 + defaultSpan < now ? s0 + defaultSpan : now);
        var from = start ?? to - defaultSpan;
        if (from > to)
        {
            return (default, default, Open311Failure.BadRequest("start_date must be before end_date"));
        }

        if (to - from > maxSpan)
        {
            return (default, default, Open311Failure.BadRequest($"start_date and end_date may be at most {maxSpan.TotalDays.ToString(CultureInfo.InvariantCulture)} days apart"));
        }

        return (from, to, null);
    }

    /// <summary>mySociety POST servicerequestupdates: service_request_id, update_id, status, updated_datetime, description.</summary>
    public static (InboundUpdate? Update, List<string> Problems) Update(Open311Parameters p, long organisationId, string source)
    {
        var problems = new List<string>();
        var requestId = Required(p["service_request_id"], "service_request_id", problems);
        var updateId = Required(p["update_id"], "update_id", problems);
        if (updateId is { Length: > MaxShortField })
        {
            problems.Add("update_id must be 200 characters or fewer");
        }

        var statusText = Required(p["status"], "status", problems);
        var status = Open311Statuses.Parse(statusText);
        if (statusText is not null && status is null)
        {
            problems.Add($"status {statusText} is not a known status (open, closed or an extended status such as IN_PROGRESS, FIXED)");
        }

        DateTimeOffset? at = null;
        if (Required(p["updated_datetime"], "updated_datetime", problems) is { } atText)
        {
            at = Open311Parameters.ParseDatetime(atText);
            if (at is null)
            {
                problems.Add("updated_datetime must be a W3C datetime, e.g. 2026-07-01T09:30:00+01:00");
            }
        }

        var description = p["description"];
        if (description is { Length: > MaxDescription })
        {
            problems.Add($"description must be {MaxDescription.ToString("N0", CultureInfo.InvariantCulture)} characters or fewer");
        }

        var mediaUrl = p["media_url"]?.Trim();
        if (mediaUrl is not null && (!Uri.TryCreate(mediaUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            problems.Add("media_url must be an absolute http or https URL");
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new InboundUpdate(organisationId, source, requestId!.Trim(), updateId!.Trim(), status!.Value, at!.Value.UtcDateTime, description, mediaUrl,
            Short(p["external_status_code"], "external_status_code", 100, problems),
            Short(p["email"], "email", 320, problems),
            Short(p["first_name"], "first_name", MaxShortField, problems),
            Short(p["last_name"], "last_name", MaxShortField, problems)), problems);
    }

    private static double? Coordinate(string text, double limit, string name, List<string> problems)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || Math.Abs(value) > limit)
        {
            problems.Add($"{name} must be a number between -{limit} and {limit} (WGS84)");
            return null;
        }

        return value;
    }

    private static DateTime? Date(string? text, string name, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (Open311Parameters.ParseDatetime(text) is { } parsed)
        {
            return parsed.UtcDateTime;
        }

        problems.Add($"{name} must be a W3C datetime, e.g. 2026-07-01T09:30:00+01:00");
        return null;
    }

    private static string? Required(string? value, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{name} is required");
            return null;
        }

        return value;
    }

    private static string? Short(string? value, string name, int max, List<string> problems)
    {
        var trimmed = value?.Trim();
        if (trimmed is { Length: > 0 } && trimmed.Length > max)
        {
            problems.Add($"{name} must be {max} characters or fewer");
        }

        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    private static List<string>? List(string? value)
    {
        var items = value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        return items is { Count: > 0 } ? items : null;
    }
}
