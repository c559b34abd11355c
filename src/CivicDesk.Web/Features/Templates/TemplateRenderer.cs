using System.Globalization;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Features.Templates;

/// <summary>The values a template can use. <see cref="ExpectedBy"/> is null when there is no estimate.</summary>
public sealed record TemplateValues(string Reference, DateTime? ExpectedBy, string StatusUrl, string Team, string? CitizenName, TimeZoneInfo Zone);

/// <summary>
/// Fills <c>{{variable}}</c> holes in reply templates. Only the names in <see cref="Variables"/> exist; anything else
/// in double braces is refused when the template is saved, so a typo never reaches a citizen.
/// </summary>
public static partial class TemplateRenderer
{
    /// <summary>What each variable becomes, for the guidance on the admin page.</summary>
    public static readonly IReadOnlyDictionary<string, string> Variables = new Dictionary<string, string>
    {
        ["reference"] = "the conversation or case reference, for example CD-7K3F9Q",
        ["expected_by"] = "the date we expect to finish, for example Tuesday 24 November 2026 (\"as soon as we can\" when there is no estimate)",
        ["status_url"] = "the web address where the citizen can check progress",
        ["team"] = "the name of the team dealing with it",
        ["citizen_name"] = "the citizen's name if we know it, otherwise \"there\" (so \"Hello {{citizen_name}}\" reads well)",
    };

    /// <summary>Said in place of a date when nothing has been estimated.</summary>
    public const string NoEstimate = "as soon as we can";

    /// <summary>Problems with a template body: unknown variables and unbalanced braces. Empty when it is fine.</summary>
    public static IReadOnlyList<string> Problems(string? body)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(body))
        {
            return problems;
        }

        foreach (var name in Hole().Matches(body).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal))
        {
            if (!Variables.ContainsKey(name))
            {
                problems.Add($"{{{{{name}}}}} is not a variable you can use. Use one of: {string.Join(", ", Variables.Keys.Select(k => "{{" + k + "}}"))}");
            }
        }

        var rest = Hole().Replace(body, "");
        if (rest.Contains("{{", StringComparison.Ordinal) || rest.Contains("}}", StringComparison.Ordinal))
        {
            problems.Add("Each variable needs two opening and two closing braces around a name, for example {{reference}}");
        }

        return problems;
    }

    public static string Render(string body, TemplateValues values)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(values);
        return Hole().Replace(body, m => m.Groups["name"].Value switch
        {
            "reference" => values.Reference,
            "expected_by" => values.ExpectedBy is { } at ? FormatDate(at, values.Zone) : NoEstimate,
            "status_url" => values.StatusUrl,
            "team" => values.Team,
            "citizen_name" => string.IsNullOrWhiteSpace(values.CitizenName) ? "there" : values.CitizenName,
            _ => m.Value,
        });
    }

    /// <summary>GOV.UK date style with the day: "Tuesday 24 November 2026", in the organisation's time zone.</summary>
    public static string FormatDate(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone)
            .ToString("dddd d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    [GeneratedRegex(@"\{\{\s*(?<name>[A-Za-z0-9_.-]+)\s*\}\}")]
    private static partial Regex Hole();
}
