using System.Globalization;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Features.Sla;

/// <summary>Opening hours for each day of the week, in the organisation's local wall-clock time. A closed day has no hours.</summary>
public sealed partial class WorkingWeek
{
    /// <summary>Monday to Friday, 9am to 5pm: the usual council office week.</summary>
    public const string Default = "Mon-Fri 09:00-17:00";

    private readonly (TimeSpan Open, TimeSpan Close)?[] _days = new (TimeSpan, TimeSpan)?[7];

    private WorkingWeek()
    {
    }

    /// <summary>The hours for a day, or null when the office is closed that day.</summary>
    public (TimeSpan Open, TimeSpan Close)? HoursOn(DayOfWeek day) => _days[(int)day];

    /// <summary>Average open hours of the days that open: what "a working day" means in sentences.</summary>
    public TimeSpan AverageDay
    {
        get
        {
            var open = _days.Where(d => d is not null).Select(d => d!.Value.Close - d.Value.Open).ToList();
            return open.Count == 0 ? TimeSpan.FromHours(8) : TimeSpan.FromTicks((long)open.Average(t => t.Ticks));
        }
    }

    /// <summary>
    /// Reads "Mon-Fri 09:00-17:00; Sat 10:00-12:30". Days not named are closed. Close may be 24:00. Returns null
    /// and an error when the text does not say a week with at least one open day.
    /// </summary>
    public static WorkingWeek? TryParse(string? text, out string? error)
    {
        error = null;
        var week = new WorkingWeek();
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "Enter the working hours, for example Mon-Fri 09:00-17:00";
            return null;
        }

        foreach (var part in text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var m = PartPattern().Match(part);
            if (!m.Success || Day(m.Groups["from"].Value) is not { } from)
            {
                error = $"\"{part}\" is not a day and hours, for example Mon-Fri 09:00-17:00";
                return null;
            }

            var to = m.Groups["to"].Success ? Day(m.Groups["to"].Value) : from;
            var open = Time(m.Groups["open"].Value);
            var close = Time(m.Groups["close"].Value);
            if (to is null || open is null || close is null || close <= open)
            {
                error = $"\"{part}\" needs a closing time after the opening time, both between 00:00 and 24:00";
                return null;
            }

            for (var d = (int)from; ; d = (d + 1) % 7)
            {
                week._days[d] = (open.Value, close.Value);
                if (d == (int)to)
                {
                    break;
                }
            }
        }

        if (week._days.All(d => d is null))
        {
            error = "Name at least one working day";
            return null;
        }

        return week;
    }

    /// <summary>Parses text already known to be valid (stored settings); falls back to <see cref="Default"/>.</summary>
    public static WorkingWeek Parse(string? text) => TryParse(text, out _) ?? TryParse(Default, out _)!;

    public override string ToString()
    {
        var names = CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedDayNames;
        return string.Join("; ", Enumerable.Range(0, 7).Select(i => (i + 1) % 7)   // Monday first
            .Where(i => _days[i] is not null)
            .Select(i => $"{names[i]} {Format(_days[i]!.Value.Open)}-{Format(_days[i]!.Value.Close)}"));
    }

    private static string Format(TimeSpan t) => $"{(int)t.TotalHours:00}:{t.Minutes:00}";

    private static DayOfWeek? Day(string name) =>
        Enum.GetValues<DayOfWeek>().Cast<DayOfWeek?>()
            .FirstOrDefault(d => d.ToString()!.StartsWith(name, StringComparison.OrdinalIgnoreCase) && name.Length >= 3);

    private static TimeSpan? Time(string text)
    {
        var bits = text.Split(':');
        return int.TryParse(bits[0], CultureInfo.InvariantCulture, out var h) && int.TryParse(bits[1], CultureInfo.InvariantCulture, out var m)
               && h is >= 0 and <= 24 && m is >= 0 and < 60 && (h < 24 || m == 0)
            ? new TimeSpan(h, m, 0)
            : null;
    }

    [GeneratedRegex(@"^(?<from>[A-Za-z]{3,9})(\s*-\s*(?<to>[A-Za-z]{3,9}))?\s+(?<open>\d{1,2}:\d{2})\s*-\s*(?<close>\d{1,2}:\d{2})$")]
    private static partial Regex PartPattern();
}
