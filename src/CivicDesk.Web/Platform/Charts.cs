using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivicDesk.Web.Platform;

/// <summary>How the chart draws its series. The data table and CSV are the same whatever the kind.</summary>
public enum ChartKind
{
    Line,
    Bar,
    StackedBar,
}

/// <summary>Line style of one series: a counterfactual or target reads as dashed, not as a colour alone.</summary>
public enum SeriesStyle
{
    Solid,
    Dashed,
    Dotted,
}

/// <summary>
/// One named series; <c>null</c> values are gaps (no data), never zeros. <paramref name="Colour"/> (a CSS hex colour)
/// overrides the palette where a colour carries meaning (sentiment: red negative, grey neutral, green positive); the
/// series still differ by pattern, and the table says the same without colour.
/// </summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values, SeriesStyle Style = SeriesStyle.Solid, string? Colour = null);

/// <summary>
/// One accessible chart (Features/Shared/_Chart.cshtml): a canvas drawn by Chart.js with an accessible name, the same
/// numbers as a real table (in a details element) and a CSV download. Display type shared by every feature, so it
/// lives in Platform. Labels on a time axis are ISO dates (yyyy-MM-dd or yyyy-MM-ddTHH:mm).
/// </summary>
public sealed record ChartModel
{
    /// <summary>Unique on the page; used for element ids and the CSV file name. Letters, digits and dashes.</summary>
    public required string Id { get; init; }
    public required string Title { get; init; }
    /// <summary>What the chart shows and its basis (period, counts, exclusions), read before the chart.</summary>
    public string? Description { get; init; }
    public ChartKind Kind { get; init; } = ChartKind.Line;
    /// <summary>The column header of the labels, e.g. "Day" or "Category".</summary>
    public string LabelHeading { get; init; } = "Period";
    public string? ValueHeading { get; init; }
    public required IReadOnlyList<string> Labels { get; init; }
    public required IReadOnlyList<ChartSeries> Series { get; init; }
    /// <summary>Set when <see cref="Labels"/> are ISO dates: "hour", "day", "week" or "month".</summary>
    public string? TimeUnit { get; init; }
    /// <summary>Digits after the decimal point in the table and CSV.</summary>
    public int Decimals { get; init; }
    /// <summary>A server URL for the CSV (e.g. a page handler); by default the CSV travels in the page as a data: link.</summary>
    public string? CsvUrl { get; init; }
    /// <summary>Heading level of the title inside the page (2–4).</summary>
    public int HeadingLevel { get; init; } = 3;

    public bool IsEmpty => Labels.Count == 0 || Series.All(s => s.Values.All(v => v is null));

    /// <summary>The label as people read it in the table (the CSV keeps ISO dates for spreadsheets).</summary>
    public string DisplayLabel(int index)
    {
        var label = Labels[index];
        if (TimeUnit is null || !DateTime.TryParse(label, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return label;
        }

        var gb = CultureInfo.GetCultureInfo("en-GB");
        return TimeUnit switch
        {
            "hour" => at.ToString("ddd d MMM yyyy HH:mm", gb),
            "week" => "Week from " + at.ToString("d MMM yyyy", gb),
            "month" => at.ToString("MMMM yyyy", gb),
            _ => at.ToString("ddd d MMM yyyy", gb),
        };
    }

    public string Format(double? value) =>
        value is { } v ? v.ToString("N" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.GetCultureInfo("en-GB")) : "–";

    /// <summary>RFC 4180 CSV of the table; cells that a spreadsheet would run as a formula are quoted with a leading apostrophe.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append(CsvCell(LabelHeading));
        foreach (var s in Series)
        {
            sb.Append(',').Append(CsvCell(s.Name));
        }

        sb.Append("\r\n");
        for (var i = 0; i < Labels.Count; i++)
        {
            sb.Append(CsvCell(Labels[i]));
            foreach (var s in Series)
            {
                sb.Append(',');
                if (i < s.Values.Count && s.Values[i] is { } v)
                {
                    sb.Append(Math.Round(v, Decimals).ToString(CultureInfo.InvariantCulture));
                }
            }

            sb.Append("\r\n");
        }

        return sb.ToString();
    }

    public string CsvFileName => Id + ".csv";

    public string CsvHref => CsvUrl ?? "data:text/csv;charset=utf-8," + Uri.EscapeDataString(ToCsv());

    /// <summary>The JSON the browser script reads (a non-executable script block, so the CSP allows it).</summary>
    public string ToJson() => JsonSerializer.Serialize(new ChartJson(
        Kind switch { ChartKind.Bar => "bar", ChartKind.StackedBar => "stacked", _ => "line" },
        Labels, TimeUnit, ValueHeading,
        Series.Select(s => new ChartJsonSeries(s.Name, s.Values, s.Style.ToString().ToLowerInvariant(), s.Colour)).ToList()), JsonOptions);

    public static string CsvCell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Inside a <script> block "</script>" must never appear: escape < > & as \u003C etc. (the default encoder does).
    };

    private sealed record ChartJson(string Kind, IReadOnlyList<string> Labels, string? TimeUnit, string? ValueHeading, IReadOnlyList<ChartJsonSeries> Series);

    private sealed record ChartJsonSeries(string Name, IReadOnlyList<double?> Values, string Style, string? Colour);
}
