using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Features.Participation;

public enum MapAttributeType
{
    Text,
    Choice,
    Number,
}

/// <summary>One typed attribute of a crowd-map project's features (e.g. condition: good / blocked / collapsed).</summary>
public sealed record MapAttribute(string Name, string Label, MapAttributeType Type, IReadOnlyList<string> Choices, bool Required);

/// <summary>
/// A project's feature schema. Staff write it one attribute per line: <c>Condition: good, blocked, collapsed</c> is a
/// choice, <c>Width in metres: number</c> a number, <c>Notes</c> free text; a leading <c>*</c> makes it required.
/// Stored as JSON in <c>MapProject.AttributesJson</c>.
/// </summary>
public static partial class MapSchema
{
    public const int MaxAttributes = 12;
    public const int MaxTextLength = 500;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static IReadOnlyList<MapAttribute> FromJson(string json) =>
        JsonSerializer.Deserialize<List<MapAttribute>>(string.IsNullOrWhiteSpace(json) ? "[]" : json, Json) ?? [];

    public static string ToJson(IReadOnlyList<MapAttribute> schema) => JsonSerializer.Serialize(schema, Json);

    /// <summary>The staff form's lines back from a schema.</summary>
    public static string ToLines(IReadOnlyList<MapAttribute> schema) => string.Join("\n", schema.Select(a =>
        (a.Required ? "*" : "") + a.Label + a.Type switch
        {
            MapAttributeType.Choice => ": " + string.Join(", ", a.Choices),
            MapAttributeType.Number => ": number",
            _ => "",
        }));

    /// <summary>Parses the staff form's lines; the schema or the first problem, naming its line.</summary>
    public static (IReadOnlyList<MapAttribute>? Schema, string? Error) Parse(string? lines)
    {
        var result = new List<MapAttribute>();
        var number = 0;
        foreach (var raw in (lines ?? "").Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var required = line.StartsWith('*');
            line = line.TrimStart('*').Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var label = (colon < 0 ? line : line[..colon]).Trim();
            var rest = colon < 0 ? "" : line[(colon + 1)..].Trim();
            var name = NonWord().Replace(label.ToLowerInvariant(), "_").Trim('_');
            if (label.Length is 0 or > 60 || name.Length == 0)
            {
                return (null, $"Line {number}: give each attribute a name of up to 60 characters");
            }

            if (result.Any(a => a.Name == name) || name is "id")
            {
                return (null, $"Line {number}: “{label}” is used twice or is a reserved name");
            }

            MapAttribute attribute;
            if (rest.Length == 0)
            {
                attribute = new MapAttribute(name, label, MapAttributeType.Text, [], required);
            }
            else if (rest.Equals("number", StringComparison.OrdinalIgnoreCase))
            {
                attribute = new MapAttribute(name, label, MapAttributeType.Number, [], required);
            }
            else
            {
                var choices = rest.Split(',').Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
                if (choices.Count < 2 || choices.Any(c => c.Length > 60) || choices.Count > 20)
                {
                    return (null, $"Line {number}: a choice needs 2 to 20 options of up to 60 characters, separated by commas");
                }

                attribute = new MapAttribute(name, label, MapAttributeType.Choice, choices, required);
            }

            result.Add(attribute);
        }

        return result.Count > MaxAttributes ? (null, $"At most {MaxAttributes} attributes") : (result, null);
    }

    /// <summary>
    /// A citizen's values checked against the schema: the attributes as a JSON object (numbers as numbers, empty
    /// optional values left out) and an error per attribute name.
    /// </summary>
    public static (string Json, Dictionary<string, string> Errors) Check(IReadOnlyList<MapAttribute> schema, IReadOnlyDictionary<string, string?> values)
    {
        var obj = new JsonObject();
        var errors = new Dictionary<string, string>();
        foreach (var a in schema)
        {
            var value = values.TryGetValue(a.Name, out var v) ? v?.Trim() ?? "" : "";
            if (value.Length == 0)
            {
                if (a.Required)
                {
                    errors[a.Name] = a.Type == MapAttributeType.Choice ? $"Select the {a.Label.ToLowerInvariant()}" : $"Enter the {a.Label.ToLowerInvariant()}";
                }

                continue;
            }

            switch (a.Type)
            {
                case MapAttributeType.Choice when !a.Choices.Contains(value, StringComparer.Ordinal):
                    errors[a.Name] = $"Select one of the options for {a.Label.ToLowerInvariant()}";
                    break;
                case MapAttributeType.Choice:
                    obj[a.Name] = value;
                    break;
                case MapAttributeType.Number when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d):
                    obj[a.Name] = d;
                    break;
                case MapAttributeType.Number:
                    errors[a.Name] = $"{a.Label} must be a number, like 2.5";
                    break;
                default:
                    if (value.Length > MaxTextLength)
                    {
                        errors[a.Name] = $"{a.Label} must be {MaxTextLength} characters or fewer";
                    }
                    else
                    {
                        obj[a.Name] = value;
                    }

                    break;
            }
        }

        return (obj.ToJsonString(), errors);
    }

    /// <summary>An attribute's value as text (for tables, CSV and case descriptions), or "" when absent.</summary>
    public static string ValueOf(string attributesJson, string name) =>
        JsonNode.Parse(attributesJson) is JsonObject o && o[name] is { } node
            ? node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString()
            : "";

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonWord();
}
