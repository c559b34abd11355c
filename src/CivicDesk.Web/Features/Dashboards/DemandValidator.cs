using System.Globalization;
using System.Text;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>One valid day of demand. <see cref="Line"/>: the CSV line, or the 0-based index in a JSON array.</summary>
public sealed record DemandRow(int Line, DateOnly Date, string Service, int Calls, double? HandledMinutes);

/// <summary>A rejected row: its CSV line (0 or 1 for the file as a whole) or JSON index, and why.</summary>
public sealed record DemandError(int Line, string Reason);

public sealed record DemandParse(IReadOnlyList<DemandRow> Rows, IReadOnlyList<DemandError> Errors)
{
    public bool Ok => Errors.Count == 0 && Rows.Count > 0;
}

/// <summary>
/// The rules every day of contact-centre demand must meet, however it arrives (the CSV import on the channel-shift
/// page, <c>text/csv</c> or JSON on <c>/api/v1/demand</c>): a real date (2026-01-12 or 12/01/2026), a service of at
/// most <see cref="ContactCentreDemand.MaxServiceLength"/> characters, calls a whole number ≥ 0, handled minutes a
/// number ≥ 0 when given, each day and service once (case-insensitive), at most <see cref="MaxRows"/> rows. Cells
/// arrive as text so both formats are judged by the same code; every problem is collected, none stops the check
/// early, and the caller stores nothing unless <see cref="DemandParse.Ok"/>.
/// </summary>
public sealed class DemandValidator(string positionName)
{
    public const int MaxBytes = 5 * 1024 * 1024;
    public const int MaxRows = 100_000;
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"];

    private readonly Dictionary<(DateOnly, string), int> _seen = [];
    private readonly List<DemandRow> _rows = [];
    private readonly List<DemandError> _errors = [];

    /// <summary>Checks one row; false once <see cref="MaxRows"/> is passed (the caller stops reading).</summary>
    public bool Add(int position, string dateText, string service, string callsText, string handledText)
    {
        if (_rows.Count + _errors.Count >= MaxRows)
        {
            _errors.Add(new DemandError(position, $"More than {MaxRows:N0} rows; split the data."));
            return false;
        }

        if (!DateOnly.TryParseExact(dateText, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            _errors.Add(new DemandError(position, dateText.Length == 0 ? "The date is missing." : $"\"{Short(dateText)}\" is not a date (use 2026-01-12 or 12/01/2026)."));
            return true;
        }

        if (service.Length == 0)
        {
            _errors.Add(new DemandError(position, "The service is missing."));
            return true;
        }

        if (service.Length > ContactCentreDemand.MaxServiceLength)
        {
            _errors.Add(new DemandError(position, $"The service name is longer than {ContactCentreDemand.MaxServiceLength} characters."));
            return true;
        }

        if (!int.TryParse(callsText, NumberStyles.None, CultureInfo.InvariantCulture, out var calls))
        {
            _errors.Add(new DemandError(position, callsText.Length == 0 ? "The number of calls is missing." : $"\"{Short(callsText)}\" is not a whole number of calls (0 or more)."));
            return true;
        }

        double? handled = null;
        if (handledText.Length > 0)
        {
            if (!double.TryParse(handledText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var h) || double.IsInfinity(h))
            {
                _errors.Add(new DemandError(position, $"\"{Short(handledText)}\" is not a number of minutes."));
                return true;
            }

            handled = h;
        }

        var key = (date, service.ToUpperInvariant());
        if (_seen.TryGetValue(key, out var first))
        {
            _errors.Add(new DemandError(position, $"{service} on {date:yyyy-MM-dd} is already {positionName} {first}."));
            return true;
        }

        _seen[key] = position;
        _rows.Add(new DemandRow(position, date, service, calls, handled));
        return true;
    }

    /// <summary>Records a row that could not even be read as cells; false once <see cref="MaxRows"/> is passed.</summary>
    public bool Reject(int position, string reason)
    {
        _errors.Add(new DemandError(position, _rows.Count + _errors.Count >= MaxRows ? $"More than {MaxRows:N0} rows; split the data." : reason));
        return _rows.Count + _errors.Count <= MaxRows;
    }

    /// <summary>The rows and problems; "no rows" (at <paramref name="emptyPosition"/>) is a problem too.</summary>
    public DemandParse Result(int emptyPosition, string emptyReason)
    {
        if (_rows.Count == 0 && _errors.Count == 0)
        {
            _errors.Add(new DemandError(emptyPosition, emptyReason));
        }

        return new DemandParse(_rows, _errors);
    }

    public static DemandParse Fail(int position, string reason) => new([], [new DemandError(position, reason)]);

    /// <summary>Strict UTF-8 (a byte-order mark is dropped); a failure names <paramref name="what"/> ("file", "body").</summary>
    public static (string? Text, DemandParse? Failed) DecodeUtf8(byte[] bytes, string what)
    {
        if (bytes.Length == 0)
        {
            return (null, Fail(0, $"The {what} is empty."));
        }

        if (bytes.Length > MaxBytes)
        {
            return (null, Fail(0, $"The {what} is larger than {MaxBytes / 1024 / 1024} MB; split it by year."));
        }

        try
        {
            return (new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF'), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, Fail(0, $"The {what} is not UTF-8 text. Save it from the spreadsheet as \"CSV UTF-8\"."));
        }
    }

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
