using System.Globalization;
using System.Text;
using CivicDesk.Web.Domain;
using CsvHelper;
using CsvHelper.Configuration;

namespace CivicDesk.Web.Features.Dashboards;

public sealed record DemandRow(int Line, DateOnly Date, string Service, int Calls, double? HandledMinutes);

public sealed record DemandError(int Line, string Reason);

public sealed record DemandParse(IReadOnlyList<DemandRow> Rows, IReadOnlyList<DemandError> Errors)
{
    public bool Ok => Errors.Count == 0 && Rows.Count > 0;
}

/// <summary>
/// Contact-centre demand as CSV (docs/dashboards.md): a header row with <c>date</c>, <c>service</c>, <c>calls</c> and
/// optionally <c>handled_minutes</c>, in any order and any case; dates as 2026-01-12 or 12/01/2026; UTF-8. Every row
/// is checked before anything is stored, and any error rejects the whole file with each bad line named.
/// </summary>
public static class DemandCsv
{
    public const int MaxBytes = 5 * 1024 * 1024;
    public const int MaxRows = 100_000;
    public const int MaxErrorsListed = 50;
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"];

    public static DemandParse Parse(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return Fail(0, "The file is empty.");
        }

        if (bytes.Length > MaxBytes)
        {
            return Fail(0, $"The file is larger than {MaxBytes / 1024 / 1024} MB; split it by year.");
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Fail(0, "The file is not UTF-8 text. Save it from the spreadsheet as \"CSV UTF-8\".");
        }

        return Parse(text.TrimStart('\uFEFF'));
    }

    public static DemandParse Parse(string text)
    {
        var errors = new List<DemandError>();
        var rows = new List<DemandRow>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null, DetectColumnCountChanges = false, TrimOptions = TrimOptions.Trim };
        using var reader = new StringReader(text);
        using var csv = new CsvParser(reader, config);
        if (!csv.Read() || csv.Record is not { } header)
        {
            return Fail(1, "There is no header row.");
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
            return Fail(1, $"The header row needs the column(s) {string.Join(", ", missing)}; it has {string.Join(", ", header)}.");
        }

        var seen = new Dictionary<(DateOnly, string), int>();
        while (csv.Read())
        {
            var line = csv.Row;
            var record = csv.Record ?? [];
            if (record.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (rows.Count + errors.Count >= MaxRows)
            {
                errors.Add(new DemandError(line, $"More than {MaxRows:N0} rows; split the file."));
                break;
            }

            string Cell(int? i) => i is { } j && j < record.Length ? record[j].Trim() : "";
            var dateText = Cell(dateCol);
            var service = Cell(serviceCol);
            var callsText = Cell(callsCol);
            var handledText = Cell(handledCol);
            if (!DateOnly.TryParseExact(dateText, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                errors.Add(new DemandError(line, dateText.Length == 0 ? "The date is missing." : $"\"{Short(dateText)}\" is not a date (use 2026-01-12 or 12/01/2026)."));
                continue;
            }

            if (service.Length == 0)
            {
                errors.Add(new DemandError(line, "The service is missing."));
                continue;
            }

            if (service.Length > ContactCentreDemand.MaxServiceLength)
            {
                errors.Add(new DemandError(line, $"The service name is longer than {ContactCentreDemand.MaxServiceLength} characters."));
                continue;
            }

            if (!int.TryParse(callsText, NumberStyles.None, CultureInfo.InvariantCulture, out var calls))
            {
                errors.Add(new DemandError(line, callsText.Length == 0 ? "The number of calls is missing." : $"\"{Short(callsText)}\" is not a whole number of calls (0 or more)."));
                continue;
            }

            double? handled = null;
            if (handledText.Length > 0)
            {
                if (!double.TryParse(handledText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var h) || double.IsInfinity(h))
                {
                    errors.Add(new DemandError(line, $"\"{Short(handledText)}\" is not a number of minutes."));
                    continue;
                }

                handled = h;
            }

            var key = (date, service.ToUpperInvariant());
            if (seen.TryGetValue(key, out var firstLine))
            {
                errors.Add(new DemandError(line, $"{service} on {date:yyyy-MM-dd} is already on line {firstLine}."));
                continue;
            }

            seen[key] = line;
            rows.Add(new DemandRow(line, date, service, calls, handled));
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add(new DemandError(1, "The file has a header but no rows."));
        }

        return new DemandParse(rows, errors);
    }

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;

    private static DemandParse Fail(int line, string reason) => new([], [new DemandError(line, reason)]);
}
