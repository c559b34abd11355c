using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Features.Dashboards;

public enum Grain
{
    Hour,
    Day,
    Week,
}

/// <summary>The dashboard's period and scope, bound from the query string (?from=2026-01-01&amp;to=2026-01-31&amp;team=3&amp;compare=true).</summary>
public sealed class DashboardFilter
{
    public const int MaxDays = 400;

    [DataType(DataType.Date)] public DateOnly? From { get; set; }
    [DataType(DataType.Date)] public DateOnly? To { get; set; }
    public long? Team { get; set; }
    /// <summary>Show the previous period of the same length beside this one.</summary>
    public bool Compare { get; set; } = true;

    /// <summary>The period in local days, inclusive; defaults to the last 28 days; never longer than <see cref="MaxDays"/>.</summary>
    public (DateOnly From, DateOnly To) Period(DateOnly today)
    {
        var to = To ?? today;
        var from = From ?? to.AddDays(-27);
        if (from > to)
        {
            (from, to) = (to, from);
        }

        if (to.DayNumber - from.DayNumber >= MaxDays)
        {
            from = to.AddDays(-(MaxDays - 1));
        }

        return (from, to);
    }

    public static Grain GrainFor(DateOnly from, DateOnly to) => (to.DayNumber - from.DayNumber + 1) switch
    {
        <= 3 => Grain.Hour,
        <= 92 => Grain.Day,
        _ => Grain.Week,
    };
}
