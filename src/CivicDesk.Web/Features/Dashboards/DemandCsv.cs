using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// Contact-centre demand as CSV (docs/dashboards.md): a header row with <c>date</c>, <c>service</c>, <c>calls</c> and
/// optionally <c>handled_minutes</c>, in any order and any case; dates as 2026-01-12 or 12/01/2026; UTF-8. Every row
/// is checked (by <see cref="DemandValidator"/>, shared with the JSON demand API) before anything is stored, and any
/// error rejects the whole file with each bad line named.
/// </summary>
public static class DemandCsv
{
    public const int MaxBytes = DemandValidator.MaxBytes;
    public const int MaxRows = DemandValidator.MaxRows;
    public const int MaxErrorsListed = 50;

    public static DemandParse Parse(byte[] bytes)
    {
        var (text, failed) = DemandValidator.DecodeUtf8(bytes, "file");
        return failed ?? Parse(text!);
    }

    public static DemandParse Parse(string text)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null, DetectColumnCountChanges = false, TrimOptions = TrimOptions.Trim };
        using var reader = new StringReader(text);
        using var csv = new CsvParser(reader, config);
        if (!csv.Read() || csv.Record is not { } header)
        {
            return DemandValidator.Fail(1, "There is no header row.");
        }

        var columns = header.Select((h, i) => (Name: h.Trim().ToLowerInvariant().Replace(' ', '_'), Index: i)).ToList();
        int? Col(params string[] names) => columns.Where(c => names.Contains(c.Name)).Select(c => (int?)c.Index).FirstOrDefault();
        var dateCol = Col("date");
        var serviceCol = Col("service", "reason", "service_or_reason");
        var callsCol = Col("calls");
        var handledCol = Col("handled_minutes", "handled_time", "handled_time_minutes");
        var missing = new[] { (dateCol, "date"), (serviceCol, "service"), (callsCol, "calls") }.Where(c => c.Item1 is null).Select(c => c.Item2).ToList();
        if (missing.Count > 0)
        {
            return DemandValidator.Fail(1, $"The header row needs the column(s) {string.Join(", ", missing)}; it has {string.Join(", ", header)}.");
        }

        var validator = new DemandValidator("on line");
        while (csv.Read())
        {
            var record = csv.Record ?? [];
            if (record.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            string Cell(int? i) => i is { } j && j < record.Length ? record[j].Trim() : "";
            if (!validator.Add(csv.Row, Cell(dateCol), Cell(serviceCol), Cell(callsCol), Cell(handledCol)))
            {
                break;
            }
        }

        return validator.Result(1, "The file has a header but no rows.");
    }
}
