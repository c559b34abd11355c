using System.Globalization;
using System.Text;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Places;

/// <summary>One row read from an imported gazetteer file.</summary>
public sealed record GazetteerRow(string Name, string? Locality, double Latitude, double Longitude);

/// <summary>
/// Reads a gazetteer CSV: a header row naming the columns name, locality, lat, lon (any order, any case; "latitude"
/// and "longitude" too), then one street per row. RFC 4180 quoting. Every row with a problem is reported with its
/// line number; the caller stores nothing unless there are none.
/// </summary>
public static class GazetteerCsv
{
    public const int MaxRows = 200_000;

    public static (IReadOnlyList<GazetteerRow> Rows, IReadOnlyList<string> Errors) Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = new List<GazetteerRow>();
        var errors = new List<string>();
        var header = ReadRecord(reader);
        if (header is null)
        {
            return (rows, ["The file is empty: it needs a header row (name,locality,lat,lon) and one street per row."]);
        }

        var columns = header.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var name = columns.IndexOf("name");
        var locality = columns.IndexOf("locality");
        var lat = columns.FindIndex(c => c is "lat" or "latitude");
        var lon = columns.FindIndex(c => c is "lon" or "lng" or "longitude");
        if (name < 0 || lat < 0 || lon < 0)
        {
            return (rows, ["Line 1: the header must name the columns name, lat and lon (locality is optional)."]);
        }

        var line = 1;
        while (ReadRecord(reader) is { } record)
        {
            line++;
            if (record.Count == 1 && string.IsNullOrWhiteSpace(record[0]))
            {
                continue;
            }

            if (rows.Count >= MaxRows)
            {
                errors.Add($"Line {line}: more than {MaxRows:N0} streets; split the file.");
                break;
            }

            string Field(int i) => i >= 0 && i < record.Count ? record[i].Trim() : "";
            var problems = new List<string>();
            var street = Field(name);
            if (street.Length is 0 or > GazetteerStreet.MaxNameLength)
            {
                problems.Add($"the name must be 1 to {GazetteerStreet.MaxNameLength} characters");
            }

            if (!double.TryParse(Field(lat), NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude) || latitude is < -90 or > 90)
            {
                problems.Add($"lat '{Field(lat)}' is not a latitude (a number from -90 to 90)");
            }

            if (!double.TryParse(Field(lon), NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude) || longitude is < -180 or > 180)
            {
                problems.Add($"lon '{Field(lon)}' is not a longitude (a number from -180 to 180)");
            }

            var place = Field(locality);
            if (place.Length > GazetteerStreet.MaxNameLength)
            {
                problems.Add($"the locality is longer than {GazetteerStreet.MaxNameLength} characters");
            }

            if (problems.Count > 0)
            {
                errors.Add($"Line {line}: {string.Join("; ", problems)}.");
            }
            else
            {
                rows.Add(new GazetteerRow(street, place.Length == 0 ? null : place, latitude, longitude));
            }
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add("The file has a header but no streets.");
        }

        return (rows, errors);
    }

    /// <summary>One CSV record (fields may be quoted and hold commas, quotes and line breaks); null at the end.</summary>
    private static List<string>? ReadRecord(TextReader reader)
    {
        if (reader.Peek() < 0)
        {
            return null;
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
            {
                fields.Add(field.ToString());
                return fields;
            }

            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"' && reader.Peek() == '"')
                {
                    reader.Read();
                    field.Append('"');
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (ch is '\n' or '\r')
            {
                if (ch == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                fields.Add(field.ToString());
                return fields;
            }
            else
            {
                field.Append(ch);
            }
        }
    }
}
