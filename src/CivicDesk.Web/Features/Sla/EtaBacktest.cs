using System.Globalization;
using System.Text.Json;

namespace CivicDesk.Web.Features.Sla;

/// <summary>One arrival to replay: when it was reported and its service (FixMyStreet's <c>date</c> and <c>label</c>).</summary>
public sealed record EtaArrival(DateTime At, string Service);

/// <summary>How one way of promising a date did over the replay. Errors are in working hours.</summary>
public sealed record EtaMethodResult(string Method, double MedianAbsoluteErrorHours, double MeanAbsoluteErrorHours, double P90AbsoluteErrorHours,
    double ResolvedByExpectedShare, double MedianPromisedHours);

public sealed record EtaBacktestReport(int Arrivals, int Scored, DateTime From, DateTime To, int Seed, string Simulation,
    double MedianActualHours, IReadOnlyList<EtaMethodResult> Methods);

/// <summary>
/// Replays real arrivals through a simulated service process and scores estimates made at each arrival from only
/// what was known then. The arrivals (times and categories) are real FixMyStreet reports; the way teams work them is
/// simulated (documented in <see cref="Teams"/> and docs/expected-times.md), so this tests the estimator's arithmetic
/// and its response to queues and bursts, not how any real council performs.
/// </summary>
public static class EtaBacktest
{
    /// <summary>A simulated team: which services it handles, how many officers work cases at once.</summary>
    public sealed record SimTeam(long Id, string Name, int Officers, IReadOnlyList<string> Services);

    /// <summary>Per-service effort (median officer hours) and the chance a case waits for scheduled works.</summary>
    public sealed record SimService(double MedianEffortHours, double ScheduledWorksChance);

    public static readonly IReadOnlyList<SimTeam> Teams =
    [
        new(1, "Highways", 4, ["highways_road_surface", "pavements_footways", "signs_markings_street_furniture", "traffic_signals_crossings",
            "obstructions_roadworks", "drainage_flooding", "street_lighting", "public_rights_of_way"]),
        new(2, "Waste and streets", 1, ["flytipping", "street_cleaning_litter", "bins_refuse_recycling", "graffiti_flyposting", "abandoned_vehicles"]),
        new(3, "Parks and trees", 1, ["trees_vegetation", "parks_open_spaces"]),
        new(4, "Customer services", 1, ["parking", "other"]),
    ];

    private static readonly Dictionary<string, SimService> Services = new()
    {
        ["highways_road_surface"] = new(2.5, 0.35),
        ["pavements_footways"] = new(2.5, 0.3),
        ["signs_markings_street_furniture"] = new(2, 0.25),
        ["traffic_signals_crossings"] = new(3, 0.2),
        ["obstructions_roadworks"] = new(1.5, 0.1),
        ["drainage_flooding"] = new(3, 0.35),
        ["street_lighting"] = new(2.5, 0.3),
        ["public_rights_of_way"] = new(3, 0.25),
        ["flytipping"] = new(2, 0.1),
        ["street_cleaning_litter"] = new(1.5, 0.05),
        ["bins_refuse_recycling"] = new(1, 0.05),
        ["graffiti_flyposting"] = new(2, 0.15),
        ["abandoned_vehicles"] = new(3, 0.3),
        ["trees_vegetation"] = new(3, 0.35),
        ["parks_open_spaces"] = new(2, 0.2),
        ["parking"] = new(1, 0.05),
        ["other"] = new(1, 0.1),
    };

    /// <summary>Effort spread (log-normal sigma), and the scheduled-works wait: median 5 working days, sigma 0.7.</summary>
    private const double EffortSigma = 0.6;
    private const double WorksMedianHours = 40;
    private const double WorksSigma = 0.7;

    /// <summary>A fixed target that a simple service promise would use: five working days.</summary>
    public static readonly TimeSpan FixedTarget = TimeSpan.FromHours(40);

    public static string Describe() =>
        "Teams work their queue first come, first served during working hours (Mon-Fri 09:00-17:00, England and Wales bank holidays, "
        + "Europe/London), with " + string.Join(", ", Teams.Select(t => $"{t.Officers} officer{(t.Officers == 1 ? "" : "s")} in {t.Name}"))
        + $". Each case takes log-normal officer effort (median 1-3 hours by service, sigma {EffortSigma}); 5-35% of cases by service then wait "
        + $"for scheduled works (log-normal, median {WorksMedianHours / 8:0} working days, sigma {WorksSigma}) before they close.";

    /// <summary>Reads FixMyStreet reports (JSON lines with <c>date</c> and <c>label</c>) as arrivals.</summary>
    public static IReadOnlyList<EtaArrival> ReadArrivals(string path)
    {
        var arrivals = new List<EtaArrival>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("date", out var date) && root.TryGetProperty("label", out var label)
                && DateTimeOffset.TryParse(date.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && label.GetString() is { } service)
            {
                arrivals.Add(new EtaArrival(at.UtcDateTime, service));
            }
        }

        return arrivals;
    }

    /// <summary>Simulates closing times for the arrivals (same seed, same result).</summary>
    public static IReadOnlyList<EtaCase> Simulate(IReadOnlyList<EtaArrival> arrivals, BusinessCalendar calendar, int seed)
    {
        ArgumentNullException.ThrowIfNull(arrivals);
        var random = new Random(seed);
        var teamOf = Teams.SelectMany(t => t.Services.Select(s => (s, t))).ToDictionary(x => x.s, x => x.t);
        var free = Teams.ToDictionary(t => t.Id, t => Enumerable.Repeat(DateTime.MinValue, t.Officers).ToArray());
        var cases = new List<EtaCase>(arrivals.Count);
        foreach (var arrival in arrivals.OrderBy(a => a.At))
        {
            var team = teamOf.GetValueOrDefault(arrival.Service) ?? Teams[^1];
            var service = Services.GetValueOrDefault(arrival.Service) ?? Services["other"];
            var officers = free[team.Id];
            var next = Array.IndexOf(officers, officers.Min());
            var start = officers[next] > arrival.At ? officers[next] : arrival.At;
            var finish = calendar.AddBusinessTime(start, TimeSpan.FromHours(LogNormal(random, service.MedianEffortHours, EffortSigma)));
            officers[next] = finish;
            var closed = random.NextDouble() < service.ScheduledWorksChance
                ? calendar.AddBusinessTime(finish, TimeSpan.FromHours(LogNormal(random, WorksMedianHours, WorksSigma)))
                : finish;
            cases.Add(new EtaCase(team.Id, arrival.Service, arrival.At, closed));
        }

        return EtaHistory.WithQueues(cases);
    }

    /// <summary>
    /// Replays the arrivals, estimating each from the history known at that moment (cases closed by then, cases still
    /// open then), after a warm-up of one estimator window. Scores five ways of promising a date on the same cases.
    /// </summary>
    /// <param name="arrivals">Real arrivals (date and service).</param>
    /// <param name="calendar">The working calendar the estimates count in.</param>
    /// <param name="options">The estimator's settings.</param>
    /// <param name="seed">Seed of the simulated service process.</param>
    /// <param name="progress">Told how many simulated cases have been estimated, every 100 (for a progress bar).</param>
    public static EtaBacktestReport Run(IReadOnlyList<EtaArrival> arrivals, BusinessCalendar calendar, EtaOptions options, int seed, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cases = Simulate(arrivals, calendar, seed).OrderBy(c => c.CreatedAt).ToList();
        var methods = new (string Name, ExpectedByEstimator? Estimator)[]
        {
            ($"Fixed target ({FixedTarget.TotalHours / 8:0} working days)", null),
            ("Mean of all past resolution times", null),
            ($"{options.Quantile:0%} quantile only", new ExpectedByEstimator(Copy(options, EtaMethod.QuantileOnly))),
            ($"{options.Quantile:0%} quantile + queue", new ExpectedByEstimator(Copy(options, EtaMethod.QuantilePlusQueue))),
            ($"{options.Quantile:0%} queue-adjusted (CivicDesk)", new ExpectedByEstimator(Copy(options, EtaMethod.QueueAdjusted))),
        };
        var errors = methods.Select(_ => new List<double>()).ToArray();
        var promised = methods.Select(_ => new List<double>()).ToArray();
        var onTime = new int[methods.Length];
        var actuals = new List<double>();
        var names = Teams.SelectMany(t => t.Services).ToDictionary(s => s, s => s.Replace('_', ' '));

        var warmUpEnd = cases.Count == 0 ? DateTime.MaxValue : cases[0].CreatedAt.AddDays(7 * options.WindowWeeks);
        double pastSum = 0;
        var pastCount = 0;
        var pastClosed = cases.Where(c => c.ClosedAt is not null).OrderBy(c => c.ClosedAt).ToList();
        var pastIndex = 0;
        var history = new List<EtaCase>();
        for (var i = 0; i < cases.Count; i++)
        {
            if (i % 100 == 0)
            {
                progress?.Report(i);
            }

            var c = cases[i];
            var now = c.CreatedAt;
            while (pastIndex < pastClosed.Count && pastClosed[pastIndex].ClosedAt <= now)
            {
                pastSum += calendar.BusinessTimeBetween(pastClosed[pastIndex].CreatedAt, pastClosed[pastIndex].ClosedAt!.Value).TotalHours;
                pastCount++;
                pastIndex++;
            }

            if (now < warmUpEnd)
            {
                continue;
            }

            // Only what was known at `now`: earlier arrivals, their close time only if it has happened.
            var windowStart = now.AddDays(-7 * options.WindowWeeks);
            history.Clear();
            for (var j = 0; j < i; j++)
            {
                var past = cases[j];
                if (past.ClosedAt is { } closedAt && closedAt <= now)
                {
                    if (closedAt >= windowStart)
                    {
                        history.Add(past);
                    }
                }
            }

            var actual = c.ClosedAt!.Value;
            actuals.Add(calendar.BusinessTimeBetween(now, actual).TotalHours);
            for (var m = 0; m < methods.Length; m++)
            {
                var expected = methods[m].Estimator is { } estimator
                    ? estimator.Estimate(new EtaRequest(now, c.TeamId, c.ServiceCode, names.GetValueOrDefault(c.ServiceCode ?? "", "other"), c.AheadAtArrival, history, FixedTarget), calendar).ExpectedBy
                    : calendar.AddBusinessTime(now, m == 0 || pastCount == 0 ? FixedTarget : TimeSpan.FromHours(pastSum / pastCount));
                errors[m].Add(Math.Abs(calendar.BusinessTimeBetween(expected, actual).TotalHours));
                promised[m].Add(calendar.BusinessTimeBetween(now, expected).TotalHours);
                if (actual <= expected)
                {
                    onTime[m]++;
                }
            }
        }

        var scored = actuals.Count;
        var results = methods.Select((m, k) => new EtaMethodResult(m.Name,
            Round(Median(errors[k])), Round(errors[k].DefaultIfEmpty().Average()), Round(ExpectedByEstimator.Quantile([.. errors[k].Order()], 0.9)),
            scored == 0 ? 0 : Math.Round((double)onTime[k] / scored, 3), Round(Median(promised[k])))).ToList();
        return new EtaBacktestReport(arrivals.Count, scored, cases.FirstOrDefault()?.CreatedAt ?? default, cases.LastOrDefault()?.CreatedAt ?? default,
            seed, Describe(), Round(Median(actuals)), results);
    }

    private static EtaOptions Copy(EtaOptions o, EtaMethod method) => new()
    {
        Quantile = o.Quantile, WindowWeeks = o.WindowWeeks, MinSamples = o.MinSamples, DefaultResolutionHours = o.DefaultResolutionHours, Method = method,
    };

    private static double Median(List<double> values) => ExpectedByEstimator.Quantile([.. values.Order()], 0.5);

    private static double Round(double v) => Math.Round(v, 1);

    private static double LogNormal(Random random, double median, double sigma)
    {
        // Box-Muller: one standard normal from two uniforms.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return median * Math.Exp(sigma * z);
    }
}
