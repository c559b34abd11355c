namespace CivicDesk.Web.Features.Sla;

/// <summary>
/// Working time for one organisation: its opening hours in its own time zone, less its bank holidays. Pure and
/// immutable: every instant in and out is UTC, and local days are turned into UTC windows through the time zone,
/// so a working day on the day the clocks change is still as long as the hours say.
/// </summary>
public sealed class BusinessCalendar(TimeZoneInfo zone, WorkingWeek week, IReadOnlySet<DateOnly> holidays)
{
    /// <summary>How far ahead or back a calculation may walk before it is treated as a bug (ten years).</summary>
    private const int MaxDays = 3660;

    public TimeZoneInfo Zone { get; } = zone;

    public WorkingWeek Week { get; } = week;

    /// <summary>The open hours of an average working day: the unit of "working days" in sentences.</summary>
    public TimeSpan WorkingDay => Week.AverageDay;

    public bool IsHoliday(DateOnly date) => holidays.Contains(date);

    /// <summary>Whether the local date is a day the office opens (a working weekday that is not a holiday).</summary>
    public bool IsWorkingDay(DateOnly date) => !holidays.Contains(date) && Week.HoursOn(date.DayOfWeek) is not null;

    /// <summary>The UTC instant <paramref name="duration"/> of working time after <paramref name="start"/>.</summary>
    public DateTime AddBusinessTime(DateTime start, TimeSpan duration)
    {
        start = Utc(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (duration == TimeSpan.Zero)
        {
            return start;
        }

        var remaining = duration;
        var day = LocalDate(start);
        for (var i = 0; i < MaxDays; i++, day = day.AddDays(1))
        {
            if (Window(day) is not { } w || w.Close <= start)
            {
                continue;
            }

            var from = w.Open > start ? w.Open : start;
            var available = w.Close - from;
            if (remaining <= available)
            {
                return from + remaining;
            }

            remaining -= available;
        }

        throw new InvalidOperationException("The calendar has no working time in the next ten years.");
    }

    /// <summary>Working time from <paramref name="a"/> to <paramref name="b"/>; negative when b is earlier.</summary>
    public TimeSpan BusinessTimeBetween(DateTime a, DateTime b)
    {
        a = Utc(a);
        b = Utc(b);
        if (b < a)
        {
            return -BusinessTimeBetween(b, a);
        }

        var total = TimeSpan.Zero;
        var last = LocalDate(b);
        var day = LocalDate(a);
        for (var i = 0; day <= last && i < MaxDays * 10; i++, day = day.AddDays(1))
        {
            if (Window(day) is not { } w)
            {
                continue;
            }

            var from = w.Open > a ? w.Open : a;
            var to = w.Close < b ? w.Close : b;
            if (to > from)
            {
                total += to - from;
            }
        }

        return total;
    }

    /// <summary>Whether the office is open at the instant.</summary>
    public bool IsOpenAt(DateTime instant)
    {
        instant = Utc(instant);
        return Window(LocalDate(instant)) is { } w && w.Open <= instant && instant < w.Close;
    }

    /// <summary>A span of working time in working days (e.g. 2.5), for sentences.</summary>
    public double InWorkingDays(TimeSpan workingTime) => workingTime / WorkingDay;

    /// <summary>The local date of a UTC instant in this calendar's time zone.</summary>
    public DateOnly LocalDate(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(Utc(utc), Zone));

    /// <summary>The day's opening hours as UTC instants, or null on a closed day.</summary>
    public (DateTime Open, DateTime Close)? Window(DateOnly day) => _windows.GetOrAdd(day, ComputeWindow);

    // Calendars are shared per organisation and asked about the same few hundred days over and over.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<DateOnly, (DateTime Open, DateTime Close)?> _windows = new();

    private (DateTime Open, DateTime Close)? ComputeWindow(DateOnly day)
    {
        if (!IsWorkingDay(day) || Week.HoursOn(day.DayOfWeek) is not { } hours)
        {
            return null;
        }

        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return (ToUtc(midnight + hours.Open), ToUtc(midnight + hours.Close));
    }

    private DateTime ToUtc(DateTime local)
    {
        // A wall-clock time inside the spring-forward gap does not exist: the office opens when the clocks say so.
        for (var i = 0; Zone.IsInvalidTime(local) && i < 4; i++)
        {
            local = local.AddMinutes(30);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, Zone);
    }

    private static DateTime Utc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Utc => t,
        DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => t.ToUniversalTime(),
    };
}
