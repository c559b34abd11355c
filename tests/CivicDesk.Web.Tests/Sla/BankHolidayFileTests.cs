using System.Text.Encodings.Web;
using System.Text.Json;
using CivicDesk.Web.Features.Sla;

namespace CivicDesk.Web.Tests.Sla;

public sealed class BankHolidayFileTests
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Dates(string division, int year) =>
        string.Join(" ", BankHolidays.For(division).Where(h => h.Date.Year == year).Select(h => h.Date.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void EmbeddedFile_MatchesTheRules_ForEveryDivisionAndYear()
    {
        var generated = Generate();
        if (Environment.GetEnvironmentVariable("CIVICDESK_WRITE_CALENDARS") == "1")
        {
            File.WriteAllText(SourcePath(), generated);
        }

        using var stream = typeof(BankHolidays).Assembly.GetManifestResourceStream(BankHolidays.ResourceName)!;
        using var reader = new StreamReader(stream);
        reader.ReadToEnd().ShouldBe(generated);
    }

    // Hand-checked against GOV.UK's published lists.
    [Theory]
    [InlineData(BankHolidays.EnglandAndWales, 2026, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28")]
    [InlineData(BankHolidays.Scotland, 2026, "01-01 01-02 04-03 05-04 05-25 08-03 11-30 12-25 12-28")]
    [InlineData(BankHolidays.NorthernIreland, 2026, "01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28")]
    [InlineData(BankHolidays.EnglandAndWales, 2020, "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28")]
    [InlineData(BankHolidays.EnglandAndWales, 2022, "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27")]
    [InlineData(BankHolidays.Scotland, 2022, "01-03 01-04 04-15 05-02 06-02 06-03 08-01 09-19 11-30 12-26 12-27")]
    [InlineData(BankHolidays.EnglandAndWales, 2023, "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26")]
    [InlineData(BankHolidays.Scotland, 2023, "01-02 01-03 04-07 05-01 05-08 05-29 08-07 11-30 12-25 12-26")]
    [InlineData(BankHolidays.NorthernIreland, 2023, "01-02 03-17 04-07 04-10 05-01 05-08 05-29 07-12 08-28 12-25 12-26")]
    [InlineData(BankHolidays.EnglandAndWales, 2027, "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28")]
    [InlineData(BankHolidays.Scotland, 2021, "01-01 01-04 04-02 05-03 05-31 08-02 11-30 12-27 12-28")]
    public void KnownYears_HaveTheDatesGovUkLists(string division, int year, string expected) =>
        Dates(division, year).ShouldBe(expected);

    [Fact]
    public void File_CoversEveryYearFrom2018To2030_InEachDivision()
    {
        foreach (var division in BankHolidays.Divisions)
        {
            for (var year = BankHolidayRules.FirstYear; year <= BankHolidayRules.LastYear; year++)
            {
                BankHolidays.For(division).Count(h => h.Date.Year == year).ShouldBeGreaterThanOrEqualTo(8, $"{division} {year}");
            }
        }

        BankHolidays.For(BankHolidays.None).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(2024, 3, 31)]
    [InlineData(2025, 4, 20)]
    [InlineData(2026, 4, 5)]
    [InlineData(2019, 4, 21)]
    public void EasterSunday_IsRight(int year, int month, int day) =>
        BankHolidayRules.EasterSunday(year).ShouldBe(new DateOnly(year, month, day));

    private static string Generate()
    {
        var file = BankHolidays.Divisions.ToDictionary(d => d, d => new BankHolidays.DivisionFile(d,
            [.. Enumerable.Range(BankHolidayRules.FirstYear, BankHolidayRules.LastYear - BankHolidayRules.FirstYear + 1).SelectMany(y => BankHolidayRules.For(d, y))]));
        return JsonSerializer.Serialize(file, Json).ReplaceLineEndings("\n") + "\n";
    }

    private static string SourcePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "CivicDesk.Web", "Features", "Sla", "Calendars", "uk-bank-holidays.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("uk-bank-holidays.json not found above the test assembly.");
    }
}
