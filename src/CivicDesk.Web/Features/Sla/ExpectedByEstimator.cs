using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace CivicDesk.Web.Features.Sla;

/// <summary>
/// One past or open case as the estimator sees it. <see cref="AheadAtArrival"/> is how many of its team's cases were
/// open when it arrived (the queue it joined); <see cref="EtaHistory.WithQueues"/> fills it in.
/// </summary>
public sealed record EtaCase(long TeamId, string? ServiceCode, DateTime CreatedAt, DateTime? ClosedAt, int AheadAtArrival = 0);

/// <summary>What to estimate: a case of a service, in a team, at an instant, against the history known then.</summary>
public sealed record EtaRequest(
    DateTime Now,
    long TeamId,
    string? ServiceCode,
    string ServiceName,
    int OpenAhead,
    IReadOnlyList<EtaCase> History,
    TimeSpan? ResolutionTarget);

/// <summary>The estimate: when, the working time it adds up to, and a sentence saying how it was worked out.</summary>
public sealed record EtaEstimate(DateTime ExpectedBy, TimeSpan WorkingTime, string Basis, EtaScope Scope, int Samples, TimeSpan Typical, TimeSpan Queue);

public enum EtaScope
{
    Service,
    Team,
    Organisation,
    Target,
}

/// <summary>How the typical time and the queue are combined; the back-test compares them.</summary>
public enum EtaMethod
{
    /// <summary>Quantile of recent resolution times, queue ignored.</summary>
    QuantileOnly,
    /// <summary>Quantile of recent resolution times plus the queue ahead ÷ close rate (counts past queueing twice).</summary>
    QuantilePlusQueue,
    /// <summary>Quantile of recent resolution times less the queue each of those cases met, plus the queue now.</summary>
    QueueAdjusted,
}

public sealed class EtaOptions
{
    public const string Section = "Eta";

    /// <summary>Which quantile of recent times to promise: 0.7 means seven in ten similar cases were done by then.</summary>
    [Range(0.5, 0.95)] public double Quantile { get; set; } = 0.7;

    [Range(1, 52)] public int WindowWeeks { get; set; } = 8;

    /// <summary>Fewer closed cases than this at one level and the estimate falls back to the wider level.</summary>
    [Range(1, 1000)] public int MinSamples { get; set; } = 8;

    /// <summary>Used when there is no history and no SLA policy: five eight-hour working days.</summary>
    [Range(1, 10_000)] public double DefaultResolutionHours { get; set; } = 40;

    public EtaMethod Method { get; set; } = EtaMethod.QueueAdjusted;

    /// <summary>
    /// How long a node keeps an organisation's history between estimates before reading it all again
    /// (<see cref="EtaHistoryCache"/>; new cases are read by id each time and a change saved on this node drops it at
    /// once). This is how late a case closed on another node can be seen here. 0 reads it for every estimate.
    /// </summary>
    [Range(0, 3600)] public int HistoryRefreshSeconds { get; set; } = 60;
}

/// <summary>Helpers that prepare history for the estimator.</summary>
public static class EtaHistory
{
    /// <summary>Fills <see cref="EtaCase.AheadAtArrival"/>: open cases of the same team when each case arrived.</summary>
    public static IReadOnlyList<EtaCase> WithQueues(IEnumerable<EtaCase> cases)
    {
        var result = new List<EtaCase>();
        foreach (var team in cases.GroupBy(c => c.TeamId))
        {
            var ordered = team.OrderBy(c => c.CreatedAt).ToList();
            var closes = ordered.Where(c => c.ClosedAt is not null).Select(c => c.ClosedAt!.Value).Order().ToList();
            var closedSoFar = 0;
            for (var i = 0; i < ordered.Count; i++)
            {
                while (closedSoFar < closes.Count && closes[closedSoFar] <= ordered[i].CreatedAt)
                {
                    closedSoFar++;
                }

                result.Add(ordered[i] with { AheadAtArrival = Math.Max(0, i - closedSoFar) });
            }
        }

        return result;
    }
}

/// <summary>
/// The expected-by estimate (docs/expected-times.md). Pure: history in, estimate out, all in working time through
/// the organisation's <see cref="BusinessCalendar"/>.
/// <list type="number">
/// <item>Take cases closed in the last <see cref="EtaOptions.WindowWeeks"/> weeks: of the same service in the same team
/// if there are at least <see cref="EtaOptions.MinSamples"/>, else the whole team, else the organisation, else the SLA
/// resolution target (or a default), saying so.</item>
/// <item>Each case's working time from arrival to close, less the time its own queue should have taken at its team's
/// recent close rate (the queue-adjusted method); the chosen quantile of those is the typical time.</item>
/// <item>Add the queue now: open cases ahead ÷ the team's closes per working hour over the window.</item>
/// </list>
/// </summary>
public sealed class ExpectedByEstimator(EtaOptions options)
{
    public EtaOptions Options { get; } = options;

    public EtaEstimate Estimate(EtaRequest request, BusinessCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(calendar);
        var now = request.Now;
        var windowStart = now.AddDays(-7 * Options.WindowWeeks);
        var windowHours = calendar.BusinessTimeBetween(windowStart, now).TotalHours;
        var closed = request.History.Where(c => c.ClosedAt is { } at && at >= windowStart && at <= now && c.CreatedAt <= at).ToList();

        var ratePerHour = closed.GroupBy(c => c.TeamId).ToDictionary(g => g.Key, g => windowHours > 0 ? g.Count() / windowHours : 0);
        var teamRate = ratePerHour.GetValueOrDefault(request.TeamId);

        var service = closed.Where(c => c.TeamId == request.TeamId && request.ServiceCode is not null && c.ServiceCode == request.ServiceCode).ToList();
        var team = closed.Where(c => c.TeamId == request.TeamId).ToList();
        var (scope, samples) = service.Count >= Options.MinSamples ? (EtaScope.Service, service)
            : team.Count >= Options.MinSamples ? (EtaScope.Team, team)
            : closed.Count >= Options.MinSamples ? (EtaScope.Organisation, closed)
            : (EtaScope.Target, []);

        var day = calendar.WorkingDay;
        string typicalText;
        TimeSpan typical;
        if (scope == EtaScope.Target)
        {
            typical = request.ResolutionTarget ?? TimeSpan.FromHours(Options.DefaultResolutionHours);
            typicalText = $"too few cases closed in the last {Options.WindowWeeks} weeks ({closed.Count}) to go on, so the "
                + (request.ResolutionTarget is null ? "default resolution time" : "team's resolution target")
                + $": {Days(typical, day)}";
        }
        else
        {
            var adjust = Options.Method == EtaMethod.QueueAdjusted;
            var hours = samples.Select(c =>
            {
                var taken = calendar.BusinessTimeBetween(c.CreatedAt, c.ClosedAt!.Value).TotalHours;
                var rate = ratePerHour.GetValueOrDefault(c.TeamId);
                return adjust && rate > 0 ? Math.Max(0, taken - (c.AheadAtArrival / rate)) : taken;
            }).Order().ToList();
            typical = TimeSpan.FromHours(Quantile(hours, Options.Quantile));
            var what = scope switch
            {
                EtaScope.Service => $"{samples.Count} {request.ServiceName} cases",
                EtaScope.Team => $"{samples.Count} cases of this team (too few {request.ServiceName} cases)",
                _ => $"{samples.Count} cases across the organisation (too few in this team)",
            };
            typicalText = $"{Ordinal(Options.Quantile)} percentile of {what} closed in the last {Options.WindowWeeks} weeks"
                + (adjust ? ", less the queue each one waited in" : "") + $": {Days(typical, day)}";
        }

        var queue = TimeSpan.Zero;
        string queueText;
        if (Options.Method == EtaMethod.QuantileOnly)
        {
            queueText = "";
        }
        else if (request.OpenAhead == 0)
        {
            queueText = "; no cases ahead in the team's queue";
        }
        else if (teamRate <= 0)
        {
            queueText = $"; {request.OpenAhead} cases ahead, but the team closed none in the last {Options.WindowWeeks} weeks, so no queue time is added";
        }
        else
        {
            queue = TimeSpan.FromHours(request.OpenAhead / teamRate);
            queueText = $"; {request.OpenAhead} cases ahead at {(teamRate * day.TotalHours).ToString("0.#", CultureInfo.InvariantCulture)} closed per working day: {Days(queue, day)}";
        }

        var total = typical + queue;
        return new EtaEstimate(calendar.AddBusinessTime(now, total), total, Capitalise(typicalText) + queueText + ".", scope, samples.Count, typical, queue);
    }

    /// <summary>Linear interpolation between closest ranks (Hyndman and Fan type 7, as R and NumPy default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return 0;
        }

        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }

    private static string Days(TimeSpan t, TimeSpan day) =>
        t < day ? $"{t.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} working hours"
            : $"{(t / day).ToString("0.#", CultureInfo.InvariantCulture)} working days";

    private static string Ordinal(double q)
    {
        var n = (int)Math.Round(q * 100);
        var suffix = (n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return $"{n}{suffix}";
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
