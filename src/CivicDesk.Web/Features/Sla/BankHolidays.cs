using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Sla;

/// <summary>One bank holiday: the date it is taken (substitute days included) and its name.</summary>
public sealed record BankHoliday(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("date")] DateOnly Date);

/// <summary>
/// UK bank holidays for England and Wales, Scotland and Northern Ireland, read from
/// <c>Calendars/uk-bank-holidays.json</c> (embedded). The file has the shape of GOV.UK's own
/// https://www.gov.uk/bank-holidays.json, so a newer copy of that file can replace it as it is. Ours is generated
/// from the rules plus the one-off changes (see BankHolidayRules in the tests and docs/expected-times.md).
/// </summary>
public static class BankHolidays
{
    public const string EnglandAndWales = "england-and-wales";
    public const string Scotland = "scotland";
    public const string NorthernIreland = "northern-ireland";
    /// <summary>No bank holidays: every working weekday counts.</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> Divisions = [EnglandAndWales, Scotland, NorthernIreland];

    public static string Label(string division) => division switch
    {
        EnglandAndWales => "England and Wales",
        Scotland => "Scotland",
        NorthernIreland => "Northern Ireland",
        _ => "No bank holidays",
    };

    private static readonly Lazy<FrozenDictionary<string, IReadOnlyList<BankHoliday>>> All = new(Load);

    /// <summary>The division's holidays in date order; empty for <see cref="None"/> or an unknown name.</summary>
    public static IReadOnlyList<BankHoliday> For(string division) =>
        All.Value.TryGetValue(division, out var list) ? list : [];

    public static IReadOnlySet<DateOnly> DatesFor(string division) => For(division).Select(h => h.Date).ToFrozenSet();

    private static FrozenDictionary<string, IReadOnlyList<BankHoliday>> Load()
    {
        using var stream = typeof(BankHolidays).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        var file = JsonSerializer.Deserialize<Dictionary<string, DivisionFile>>(stream)
            ?? throw new InvalidOperationException("The bank holiday file is empty.");
        return file.ToFrozenDictionary(kv => kv.Key, kv => (IReadOnlyList<BankHoliday>)[.. kv.Value.Events.OrderBy(e => e.Date)]);
    }

    internal const string ResourceName = "CivicDesk.Web.Features.Sla.Calendars.uk-bank-holidays.json";

    internal sealed record DivisionFile(
        [property: JsonPropertyName("division")] string Division,
        [property: JsonPropertyName("events")] IReadOnlyList<BankHoliday> Events);
}

/// <summary>Builds (and caches) each organisation's <see cref="BusinessCalendar"/> from its settings.</summary>
public sealed class BusinessCalendars
{
    private readonly ConcurrentDictionary<(string Zone, string Week, string Division), BusinessCalendar> _cache = new();

    public BusinessCalendar For(Organisation organisation)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        return For(organisation.TimeZoneId, organisation.WorkingHours, organisation.HolidayCalendar);
    }

    public BusinessCalendar For(string timeZoneId, string workingHours, string division) =>
        _cache.GetOrAdd((timeZoneId, workingHours, division), key => new BusinessCalendar(
            TimeZoneInfo.FindSystemTimeZoneById(key.Zone), WorkingWeek.Parse(key.Week), BankHolidays.DatesFor(key.Division)));
}
