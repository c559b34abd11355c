using System.Globalization;

namespace CivicDesk.Web.Platform;

/// <summary>Instants are stored in UTC; people read them in the organisation's time zone, in British English.</summary>
public static class LocalTime
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public static DateTime ToLocal(DateTime utc, string zoneId) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone(zoneId));

    /// <summary>"2 Dec 2026, 14:05" by default.</summary>
    public static string Format(DateTime utc, string zoneId, string pattern = "d MMM yyyy, HH:mm") =>
        ToLocal(utc, zoneId).ToString(pattern, EnGb);

    /// <summary>Machine-readable instant for &lt;time datetime&gt;.</summary>
    public static string Iso(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>"1 h 05 min", "12 min", "40 s".</summary>
    public static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(EnGb, $"{(int)span.TotalHours} h {span.Minutes:00} min")
        : span.TotalMinutes >= 1 ? string.Create(EnGb, $"{(int)span.TotalMinutes} min") : string.Create(EnGb, $"{Math.Max(0, (int)span.TotalSeconds)} s");

    private static TimeZoneInfo Zone(string zoneId) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone) ? zone : TimeZoneInfo.Utc;
}
