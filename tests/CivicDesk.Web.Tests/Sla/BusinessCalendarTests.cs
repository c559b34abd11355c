using CivicDesk.Web.Features.Sla;

namespace CivicDesk.Web.Tests.Sla;

public sealed class BusinessCalendarTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static BusinessCalendar Calendar(string division = BankHolidays.EnglandAndWales, string hours = WorkingWeek.Default) =>
        new(London, WorkingWeek.Parse(hours), BankHolidays.DatesFor(division));

    private static DateTime Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    [Fact]
    public void AddBusinessTime_WithinTheDay_AddsPlainly() =>
        Calendar().AddBusinessTime(Utc(2026, 11, 23, 10), TimeSpan.FromMinutes(30)).ShouldBe(Utc(2026, 11, 23, 10, 30));

    [Fact]
    public void AddBusinessTime_FridayAfternoon_CarriesOverTheWeekend() =>
        Calendar().AddBusinessTime(Utc(2026, 11, 20, 16), TimeSpan.FromHours(2)).ShouldBe(Utc(2026, 11, 23, 10));

    [Fact]
    public void AddBusinessTime_FromTheEvening_StartsNextMorning() =>
        Calendar().AddBusinessTime(Utc(2026, 11, 24, 19), TimeSpan.FromHours(1)).ShouldBe(Utc(2026, 11, 25, 10));

    [Fact]
    public void AddBusinessTime_EndingExactlyAtClose_ReturnsClose() =>
        Calendar().AddBusinessTime(Utc(2026, 11, 23, 9), TimeSpan.FromHours(8)).ShouldBe(Utc(2026, 11, 23, 17));

    [Fact]
    public void AddBusinessTime_OverChristmas_SkipsBankHolidaysAndSubstitutes()
    {
        // 2026: Christmas is Friday 25th, Boxing Day Saturday 26th → substitute Monday 28th.
        Calendar().AddBusinessTime(Utc(2026, 12, 24, 16), TimeSpan.FromHours(2)).ShouldBe(Utc(2026, 12, 29, 10));
    }

    [Fact]
    public void BusinessTimeBetween_OverChristmas_CountsOnlyOpenDays() =>
        Calendar().BusinessTimeBetween(Utc(2026, 12, 24, 9), Utc(2026, 12, 29, 17)).ShouldBe(TimeSpan.FromHours(16));

    [Fact]
    public void AddBusinessTime_OnSpringForward_UsesBritishSummerTime()
    {
        // Clocks go forward on Sunday 29 March 2026: Monday opens at 09:00 BST = 08:00 UTC.
        Calendar().AddBusinessTime(Utc(2026, 3, 27, 16), TimeSpan.FromHours(2)).ShouldBe(Utc(2026, 3, 30, 9));
    }

    [Fact]
    public void AddBusinessTime_OnFallBack_ReturnsToGreenwichTime()
    {
        // Clocks go back on Sunday 25 October 2026: Friday closes 17:00 BST = 16:00 UTC, Monday opens 09:00 GMT.
        Calendar().AddBusinessTime(Utc(2026, 10, 23, 15), TimeSpan.FromHours(2)).ShouldBe(Utc(2026, 10, 26, 10));
    }

    [Fact]
    public void BusinessTimeBetween_RoundTheClockWeek_HasShortAndLongDaysWhenTheClocksChange()
    {
        var always = Calendar(BankHolidays.None, "Mon-Sun 00:00-24:00");
        // Sunday 29 March 2026 has 23 hours; Sunday 25 October 2026 has 25.
        always.BusinessTimeBetween(Utc(2026, 3, 29, 0), Utc(2026, 3, 29, 23)).ShouldBe(TimeSpan.FromHours(23));
        always.AddBusinessTime(Utc(2026, 3, 28, 0), TimeSpan.FromHours(47)).ShouldBe(Utc(2026, 3, 29, 23));
        always.BusinessTimeBetween(Utc(2026, 10, 24, 23), Utc(2026, 10, 26, 0)).ShouldBe(TimeSpan.FromHours(25));
    }

    [Fact]
    public void BusinessTimeBetween_Weekend_IsZero() =>
        Calendar().BusinessTimeBetween(Utc(2026, 11, 21, 8), Utc(2026, 11, 22, 20)).ShouldBe(TimeSpan.Zero);

    [Fact]
    public void BusinessTimeBetween_Reversed_IsNegative() =>
        Calendar().BusinessTimeBetween(Utc(2026, 11, 23, 12), Utc(2026, 11, 23, 10)).ShouldBe(TimeSpan.FromHours(-2));

    [Fact]
    public void Divisions_DifferOnTheirOwnHolidays()
    {
        // Monday 3 August 2026 is the summer bank holiday in Scotland only; 31 August everywhere else.
        var monday = Utc(2026, 8, 3, 8);   // 09:00 BST
        Calendar(BankHolidays.Scotland).BusinessTimeBetween(monday, monday.AddHours(8)).ShouldBe(TimeSpan.Zero);
        Calendar(BankHolidays.EnglandAndWales).BusinessTimeBetween(monday, monday.AddHours(8)).ShouldBe(TimeSpan.FromHours(8));
        Calendar(BankHolidays.NorthernIreland).IsHoliday(new DateOnly(2026, 7, 13)).ShouldBeTrue();   // Boyne, substitute for Sunday 12th
        Calendar(BankHolidays.EnglandAndWales).IsHoliday(new DateOnly(2026, 7, 13)).ShouldBeFalse();
    }

    [Fact]
    public void AddThenBetween_RoundTrips_ForManyStartsAndDurations()
    {
        var calendar = Calendar(BankHolidays.EnglandAndWales, "Mon-Thu 08:30-17:00; Fri 08:30-16:30");
        var random = new Random(5);
        for (var i = 0; i < 500; i++)
        {
            var start = Utc(2025, 1, 1, 0).AddMinutes(random.Next(0, 60 * 24 * 365 * 2));
            var duration = TimeSpan.FromMinutes(random.Next(0, 60 * 8 * 30));
            var end = calendar.AddBusinessTime(start, duration);
            calendar.BusinessTimeBetween(start, end).ShouldBe(duration);
        }
    }

    [Fact]
    public void WorkingDay_IsTheAverageOpenDay() =>
        Calendar(hours: "Mon-Thu 09:00-17:00; Fri 09:00-16:30").WorkingDay.ShouldBe(TimeSpan.FromHours(7.9));

    [Theory]
    [InlineData("Mon-Fri 09:00-17:00", null)]
    [InlineData("Mon 09:00-17:00; Sat 10:00-12:30", null)]
    [InlineData("Mon-Fri 17:00-09:00", "closing time")]
    [InlineData("Someday 09:00-17:00", "is not a day")]
    [InlineData("", "Enter the working hours")]
    public void WorkingWeek_Parse_AcceptsGoodTextAndExplainsBad(string text, string? error)
    {
        var week = WorkingWeek.TryParse(text, out var problem);
        if (error is null)
        {
            week.ShouldNotBeNull();
            WorkingWeek.Parse(week.ToString()).ToString().ShouldBe(week.ToString());
        }
        else
        {
            week.ShouldBeNull();
            problem.ShouldNotBeNull().ShouldContain(error);
        }
    }
}
