using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Cases;

/// <summary>
/// Writes case rows as CSV (for spreadsheets) or GeoJSON (for GIS). Neither carries reporter details or citizen free
/// text beyond the case title (CSV only); GeoJSON properties are the case's facts, so a map layer can be shared.
/// </summary>
public static class CaseExport
{
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "reference", "title", "service_code", "service", "status", "open311_status", "priority", "team", "assigned_to", "source",
        "created_at", "updated_at", "due_at", "expected_by", "closed_at", "latitude", "longitude", "merged_into",
    ];

    public static byte[] Csv(IEnumerable<CaseRow> rows)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            // Titles are citizen text: a leading = + - @ would run as a formula in a spreadsheet (CSV injection).
            InjectionOptions = InjectionOptions.Escape,
        };
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        using (var csv = new CsvWriter(writer, config))
        {
            foreach (var column in CsvColumns)
            {
                csv.WriteField(column);
            }

            csv.NextRecord();
            foreach (var r in rows)
            {
                csv.WriteField(r.Reference);
                csv.WriteField(r.Title);
                csv.WriteField(r.ServiceCode);
                csv.WriteField(r.ServiceName);
                csv.WriteField(r.Status.Label());
                csv.WriteField(r.Status.Open311Status());
                csv.WriteField(r.Priority.ToString());
                csv.WriteField(r.TeamName);
                csv.WriteField(r.AssignedStaffName);
                csv.WriteField(r.Source.ToString());
                csv.WriteField(Iso(r.CreatedAt));
                csv.WriteField(Iso(r.UpdatedAt));
                csv.WriteField(Iso(r.DueAt));
                csv.WriteField(Iso(r.ExpectedBy));
                csv.WriteField(Iso(r.ClosedAt));
                csv.WriteField(r.Latitude?.ToString("0.######", CultureInfo.InvariantCulture));
                csv.WriteField(r.Longitude?.ToString("0.######", CultureInfo.InvariantCulture));
                csv.WriteField(r.MergedIntoReference);
                csv.NextRecord();
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// An RFC 7946 FeatureCollection of Points: coordinates are [longitude, latitude] in WGS 84 (EPSG:4326), the only
    /// CRS RFC 7946 allows, so QGIS opens it without asking. Cases without a location are left out.
    /// </summary>
    public static byte[] GeoJson(IEnumerable<CaseRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteStartArray("features");
            foreach (var r in rows.Where(r => r.Latitude is not null && r.Longitude is not null))
            {
                json.WriteStartObject();
                json.WriteString("type", "Feature");
                json.WriteString("id", r.Reference);
                json.WriteStartObject("geometry");
                json.WriteString("type", "Point");
                json.WriteStartArray("coordinates");
                json.WriteNumberValue(Math.Round(r.Longitude!.Value, 6));
                json.WriteNumberValue(Math.Round(r.Latitude!.Value, 6));
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteStartObject("properties");
                json.WriteString("reference", r.Reference);
                json.WriteString("service_code", r.ServiceCode);
                json.WriteString("service", r.ServiceName ?? r.ServiceCode);
                json.WriteString("status", r.Status.Label());
                json.WriteString("open311_status", r.Status.Open311Status());
                json.WriteString("priority", r.Priority.ToString());
                WriteOrNull(json, "team", r.TeamName);
                json.WriteString("source", r.Source.ToString());
                WriteOrNull(json, "created_at", Iso(r.CreatedAt));
                WriteOrNull(json, "updated_at", Iso(r.UpdatedAt));
                WriteOrNull(json, "due_at", Iso(r.DueAt));
                WriteOrNull(json, "expected_by", Iso(r.ExpectedBy));
                WriteOrNull(json, "closed_at", Iso(r.ClosedAt));
                WriteOrNull(json, "merged_into", r.MergedIntoReference);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static string? Iso(DateTime? utc) => utc?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
