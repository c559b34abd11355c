using CivicDesk.Web.Features.Sla;

namespace CivicDesk.Web.Tests.Sla;

/// <summary>
/// The rules UK bank holidays follow (Banking and Financial Dealings Act 1971 plus royal proclamations), used to
/// generate <c>src/CivicDesk.Web/Features/Sla/Calendars/uk-bank-holidays.json</c> and to check it. Regenerate with
/// <c>CIVICDESK_WRITE_CALENDARS=1 dotnet test --filter BankHolidayFileTests</c>.
/// Substitutes: a fixed-date holiday on a Saturday or Sunday moves to the next weekday that is not already a
/// holiday, after the holidays that fall on weekdays are placed (so Christmas on a Sunday gives Boxing Day on
/// Monday 26th and Christmas's substitute on Tuesday 27th, as GOV.UK lists it).
/// </summary>
public static class BankHolidayRules
{
    public const int FirstYear = 2018;
    public const int LastYear = 2030;

    public static IReadOnlyList<BankHoliday> For(string division, int year)
    {
        var fixedDates = new List<(string Title, DateOnly Date)> { ("New Year’s Day", new(year, 1, 1)) };
        if (division == BankHolidays.Scotland)
        {
            fixedDates.Add(("2nd January", new(year, 1, 2)));
        }

        if (division == BankHolidays.NorthernIreland)
        {
            fixedDates.Add(("St Patrick’s Day", new(year, 3, 17)));
            fixedDates.Add(("Battle of the Boyne (Orangemen’s Day)", new(year, 7, 12)));
        }

        if (division == BankHolidays.Scotland)
        {
            fixedDates.Add(("St Andrew’s Day", new(year, 11, 30)));
        }

        fixedDates.Add(("Christmas Day", new(year, 12, 25)));
        fixedDates.Add(("Boxing Day", new(year, 12, 26)));

        var easter = EasterSunday(year);
        var days = new List<BankHoliday> { new("Good Friday", easter.AddDays(-2)) };
        if (division != BankHolidays.Scotland)
        {
            days.Add(new("Easter Monday", easter.AddDays(1)));
        }

        // One-off changes by proclamation.
        days.Add(year == 2020 ? new("Early May bank holiday (VE day)", new(2020, 5, 8)) : new("Early May bank holiday", FirstMonday(year, 5)));
        if (year == 2022)
        {
            days.Add(new("Spring bank holiday", new(2022, 6, 2)));
            days.Add(new("Platinum Jubilee bank holiday", new(2022, 6, 3)));
            days.Add(new("Bank Holiday for the State Funeral of Queen Elizabeth II", new(2022, 9, 19)));
        }
        else
        {
            days.Add(new("Spring bank holiday", LastMonday(year, 5)));
        }

        if (year == 2023)
        {
            days.Add(new("Bank holiday for the coronation of King Charles III", new(2023, 5, 8)));
        }

        days.Add(new("Summer bank holiday", division == BankHolidays.Scotland ? FirstMonday(year, 8) : LastMonday(year, 8)));

        foreach (var (title, date) in fixedDates.Where(f => !IsWeekend(f.Date)))
        {
            days.Add(new(title, date));
        }

        foreach (var (title, date) in fixedDates.Where(f => IsWeekend(f.Date)))
        {
            var sub = date;
            while (IsWeekend(sub) || days.Any(d => d.Date == sub))
            {
                sub = sub.AddDays(1);
            }

            days.Add(new($"{title} (substitute day)", sub));
        }

        return [.. days.OrderBy(d => d.Date)];
    }

    /// <summary>Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" algorithm).</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = ((19 * a) + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        int m = (a + (11 * h) + (22 * l)) / 451, month = (h + l - (7 * m) + 114) / 31, day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    private static bool IsWeekend(DateOnly d) => d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static DateOnly FirstMonday(int year, int month)
    {
        var d = new DateOnly(year, month, 1);
        while (d.DayOfWeek != DayOfWeek.Monday)
        {
            d = d.AddDays(1);
        }

        return d;
    }

    private static DateOnly LastMonday(int year, int month)
    {
        var d = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        while (d.DayOfWeek != DayOfWeek.Monday)
        {
            d = d.AddDays(-1);
        }

        return d;
    }
}
