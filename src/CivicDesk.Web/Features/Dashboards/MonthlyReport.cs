using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>One value of a report table: its text as read, and the number behind it (for the workbook) when it is one.</summary>
public sealed record ReportCell(string Text, double? Number = null, string? NumberFormat = null)
{
    /// <summary>On the page, the cell links here (e.g. the messages behind an alert); the exports keep the text.</summary>
    public string? Href { get; init; }

    public static readonly ReportCell Empty = new("");
    public static implicit operator ReportCell(string text) => new(text);

    public static ReportCell Count(double? value) => value is { } v ? new(v.ToString("N0", Gb), v, "#,##0") : new("–");
    public static ReportCell Hours(double? value) => value is { } v ? new(v.ToString("N1", Gb), Math.Round(v, 2), "0.0") : new("–");
    public static ReportCell Share(double? value) => value is { } v ? new(v.ToString("P0", Gb), v, "0%") : new("–");
    public static ReportCell Fixed(double? value, int places = 1) =>
        value is { } v ? new(v.ToString("N" + places, Gb), Math.Round(v, places + 2), places == 0 ? "0" : "0." + new string('0', places)) : new("–");

    private static readonly CultureInfo Gb = CultureInfo.GetCultureInfo("en-GB");
}

/// <summary>A table of the report: a caption, header row and rows; the same table is the HTML, the CSV and a block of the workbook.</summary>
public sealed record ReportTable(string Caption, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<ReportCell>> Rows)
{
    /// <summary>Said instead of an empty table.</summary>
    public string EmptyText { get; init; } = "None in this month.";
}

/// <summary>One section (one workbook sheet): what it shows, its basis (period, counts, exclusions), and its tables.</summary>
public sealed record ReportSection(string Id, string Title, string Basis, IReadOnlyList<ReportTable> Tables)
{
    /// <summary>A plain statement shown above the tables (e.g. "No channel-shift analysis is configured").</summary>
    public string? Note { get; init; }
}

public sealed record MonthlyReport(DateOnly Month, long? TeamId, string ScopeName, string OrganisationName, DateTime GeneratedAt, IReadOnlyList<ReportSection> Sections)
{
    private static readonly CultureInfo Gb = CultureInfo.GetCultureInfo("en-GB");
    public DateOnly LastDay => Month.AddMonths(1).AddDays(-1);
    public string Title => $"{ScopeName}: monthly report for {Month.ToString("MMMM yyyy", Gb)}";
    public string Slug => $"civicdesk-report-{Month:yyyy-MM}" + (TeamId is { } t ? $"-team-{t}" : "");
}

/// <summary>
/// The monthly report for the organisation or one team (docs/dashboards.md, "Monthly reports"). Every figure comes from
/// the services behind the dashboards (<see cref="DashboardData"/>, <see cref="EngagementIndex"/>,
/// <see cref="ChannelShift"/>) for the calendar month in the organisation's time zone, so the report equals the
/// dashboard for the same month and scope. A team's report is built with the team's scope only: no organisation-wide
/// figure (and so no channel-shift analysis, which is the organisation's contact centre) appears in it.
/// </summary>
public sealed class MonthlyReportBuilder(DashboardData data, EngagementIndex index, ChannelShift shift, CivicDeskDb db, SlaClock sla, TimeProvider time)
{
    private static readonly CultureInfo Gb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The month a report would cover by default: the last complete one in the organisation's time zone.</summary>
    public async Task<DateOnly> LastCompleteMonthAsync(CancellationToken ct)
    {
        var today = AggregateTime.LocalDay(time.GetUtcNow().UtcDateTime, (await sla.CalendarAsync(ct)).Zone);
        return new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
    }

    /// <param name="month">Any day of the month (the first is used).</param>
    /// <param name="teamId">Null for the organisation; the caller has checked the viewer may see the team.</param>
    /// <param name="ct">Cancels the queries.</param>
    public async Task<MonthlyReport> BuildAsync(DateOnly month, long? teamId, CancellationToken ct)
    {
        month = new DateOnly(month.Year, month.Month, 1);
        var last = month.AddMonths(1).AddDays(-1);
        var organisation = await db.Organisations.AsNoTracking().Where(o => o.Id == db.CurrentOrganisationId).Select(o => o.Name).SingleAsync(ct);
        var scopeName = teamId is { } t
            ? await db.Teams.AsNoTracking().Where(x => x.Id == t).Select(x => x.Name).SingleOrDefaultAsync(ct) ?? throw new InvalidOperationException($"No team {t}.")
            : organisation;
        var scope = teamId is { } id ? new DashboardScope(new HashSet<long> { id }) : DashboardScope.Everything;
        var view = await data.BuildAsync(new DashboardFilter { From = month, To = last, Compare = true }, scope, ct);
        var period = $"{month.ToString("d MMMM yyyy", Gb)} to {last.ToString("d MMMM yyyy", Gb)}";
        var previous = $"{view.PreviousFrom.ToString("d MMMM", Gb)} to {view.PreviousTo.ToString("d MMMM yyyy", Gb)}";
        var scopeText = teamId is null ? "the whole organisation" : $"the team {scopeName} only (conversations assigned to it now)";
        var sections = new List<ReportSection>
        {
            Summary(view, period, previous, scopeText),
            Volumes(view, period, previous),
            ResponseTimes(view),
            Backlog(view),
            Sentiment(view, period),
            await TopIssuesAsync(view, month, last, scope, period, ct),
            await ChannelShiftAsync(teamId, ct),
            await IndexAsync(month, teamId, scopeName, ct),
        };
        if (view.PendingHours > 0)
        {
            sections[0] = sections[0] with { Note = $"{view.PendingHours:N0} hour(s) of recent changes were still being counted when this report was made; counts may rise slightly." };
        }

        return new MonthlyReport(month, teamId, scopeName, organisation, view.GeneratedAt, sections);
    }

    private static ReportSection Summary(DashboardView view, string period, string previous, string scopeText) => new("summary", "Summary",
        $"{period}, {scopeText}. Changes compare with the previous period of the same length ({previous}).",
        [new ReportTable("Headline figures", ["Figure", "Value", "Change", "Basis"],
            view.Headlines.Select(h => (IReadOnlyList<ReportCell>)[h.Label, Numeric(h.Value), h.Change ?? "", h.Basis]).ToList())]);

    private static ReportSection Volumes(DashboardView view, string period, string previous)
    {
        var tables = new List<ReportTable>();
        var channel = view.VolumeCharts.Single(c => c.Id == "contact-channel");
        tables.Add(new ReportTable("Contact by channel", ["Channel", "Messages"],
            channel.Series.Select(s => (IReadOnlyList<ReportCell>)[s.Name, ReportCell.Count(s.Values.Sum(v => v ?? 0))]).ToList()));
        foreach (var (id, caption) in new[] { ("contact-team", "Contact by team"), ("contact-kind", "Contact by kind"), ("contact-category", "Contact by category (the 20 largest)") })
        {
            tables.Add(Breakdown(view.VolumeCharts.Single(c => c.Id == id), caption));
        }

        foreach (var chart in view.ReplyCharts)
        {
            tables.Add(Breakdown(chart, chart.Title));
        }

        return new ReportSection("volumes", "Volumes",
            $"Inbound messages addressed to the organisation, {period}, by the organisation's local day; public posts kept by listening searches and deleted " +
            $"messages are not counted. Replies are outbound messages. Beside each, the previous period ({previous}).", tables);
    }

    private static ReportTable Breakdown(ChartModel chart, string caption)
    {
        var rows = new List<IReadOnlyList<ReportCell>>();
        for (var i = 0; i < chart.Labels.Count; i++)
        {
            rows.Add([chart.Labels[i], .. chart.Series.Select(s => ReportCell.Count(s.Values[i] ?? 0))]);
        }

        return new ReportTable(caption, [chart.LabelHeading, .. chart.Series.Select(s => s.Name)], rows);
    }

    private static ReportSection ResponseTimes(DashboardView view) => new("response-times", "Response and resolution times", view.ResponseBasis,
    [
        new ReportTable("First response (working hours)", ["Team", "Conversations", "Answered", "Median", "90th percentile", "Target", "Answered within target"],
            view.ResponseTimes.Select(r => (IReadOnlyList<ReportCell>)[r.Team, ReportCell.Count(r.Conversations), ReportCell.Count(r.Answered),
                ReportCell.Hours(r.MedianFirstResponseHours), ReportCell.Hours(r.P90FirstResponseHours), Target(r.FirstResponseTargetHours),
                ReportCell.Share(r.ShareAnsweredWithinTarget)]).ToList()) { EmptyText = "No conversations were opened in this month." },
        new ReportTable("Resolution (working hours)", ["Team", "Resolved", "Median", "90th percentile", "Target", "Resolved within target"],
            view.ResponseTimes.Select(r => (IReadOnlyList<ReportCell>)[r.Team, ReportCell.Count(r.Resolved), ReportCell.Hours(r.MedianResolutionHours),
                ReportCell.Hours(r.P90ResolutionHours), Target(r.ResolutionTargetHours), ReportCell.Share(r.ShareResolvedWithinTarget)]).ToList())
            { EmptyText = "No conversations were opened in this month." },
    ]);

    private static ReportCell Target(double? hours) => hours is null ? "No target set" : ReportCell.Hours(hours);

    private static ReportSection Backlog(DashboardView view) => new("backlog", "Backlog",
        $"Conversations not yet resolved when this report was made ({view.GeneratedAt:d MMMM yyyy HH:mm} UTC), {view.BacklogTotal:N0} in all, by team and how long ago they " +
        "were opened (calendar days). The backlog is a snapshot, not a figure of the month.",
        [Breakdown(view.Backlog, "Open conversations by age") with { EmptyText = "No open conversations." }]);

    private static ReportSection Sentiment(DashboardView view, string period)
    {
        var overTime = view.SentimentCharts.Single(c => c.Id == "sentiment-time");
        var total = overTime.Series.Sum(s => s.Values.Sum(v => v ?? 0));
        var tables = new List<ReportTable>
        {
            new("Sentiment of contact", ["Sentiment", "Messages", "Share"],
                overTime.Series.Select(s => (IReadOnlyList<ReportCell>)[s.Name, ReportCell.Count(s.Values.Sum(v => v ?? 0)),
                    ReportCell.Share(total == 0 ? null : s.Values.Sum(v => v ?? 0) / total)]).ToList()),
        };
        foreach (var chart in view.SentimentCharts.Where(c => c.Id != "sentiment-time"))
        {
            tables.Add(Breakdown(chart, chart.Title));
        }

        return new ReportSection("sentiment", "Sentiment",
            $"Inbound messages, {period}, by the sentiment triage gave them. Sentiment is a model's reading of the text, and only of those who wrote to or " +
            "about the organisation, not of the public at large.", tables);
    }

    private async Task<ReportSection> TopIssuesAsync(DashboardView view, DateOnly month, DateOnly last, DashboardScope scope, string period, CancellationToken ct)
    {
        var categories = view.VolumeCharts.Single(c => c.Id == "contact-category");
        var places = view.SentimentCharts.Single(c => c.Id == "sentiment-place");
        var (alerts, tested) = await data.EmergingAlertsAsync(month, last, scope, ct);
        var team = scope.TeamIds is { Count: 1 } one ? $"&team={one.First()}" : "";
        string MessagesHref(DateOnly day, EmergingAlert a) =>
            $"/dashboards/messages?dimension={Uri.EscapeDataString(a.Dimension)}&value={Uri.EscapeDataString(a.Value)}&day={day:yyyy-MM-dd}{team}";
        var tables = new List<ReportTable>
        {
            new("Top categories", ["Category", "Messages", "Previous period"],
                Enumerable.Range(0, Math.Min(10, categories.Labels.Count))
                    .Select(i => (IReadOnlyList<ReportCell>)[categories.Labels[i], .. categories.Series.Select(s => ReportCell.Count(s.Values[i] ?? 0))]).ToList()),
            new("Top places", ["Place", "Messages"],
                Enumerable.Range(0, Math.Min(10, places.Labels.Count))
                    .Select(i => (IReadOnlyList<ReportCell>)[places.Labels[i], ReportCell.Count(places.Series.Sum(s => s.Values[i] ?? 0))]).ToList())
                { EmptyText = "No messages named a place in this month." },
            new("Emerging-issue alerts", ["Day", "Kind", "Name", "Messages", "Expected", "Model", "q-value"],
                alerts.OrderBy(a => a.Day).ThenBy(a => a.Alert.QValue).Select(a => (IReadOnlyList<ReportCell>)[
                    new ReportCell(a.Day.ToString("d MMM yyyy", Gb)), a.Alert.Dimension, new ReportCell(a.Alert.Value) { Href = MessagesHref(a.Day, a.Alert) }, ReportCell.Count(a.Alert.Observed),
                    ReportCell.Fixed(a.Alert.Expected), a.Alert.Model, new ReportCell(a.Alert.QValue.ToString("0.0000", CultureInfo.InvariantCulture), a.Alert.QValue, "0.0000")]).ToList())
                { EmptyText = "No alerts in this month." },
        };
        return new ReportSection("top-issues", "Top issues",
            $"Categories and places with the most inbound messages, {period} (the 10 largest). Alerts: each day of the month tested against its previous " +
            $"{DashboardData.BaselineDays} days by the dashboard's rule (Poisson or negative binomial, Benjamini–Hochberg at 5 % across the series tested that day, " +
            $"at least {EmergingIssues.DefaultMinimumCount} messages); {tested:N0} day-series tested, {alerts.Count:N0} flagged.", tables);
    }

    private async Task<ReportSection> ChannelShiftAsync(long? teamId, CancellationToken ct)
    {
        const string title = "Channel shift";
        if (teamId is not null)
        {
            return new ReportSection("channel-shift", title, "Contact-centre calls are the organisation's, not a team's.", [])
            {
                Note = "Channel shift is measured for the organisation as a whole, so it is not part of a team's report.",
            };
        }

        var settings = await db.ReportSettings.AsNoTracking().FirstOrDefaultAsync(ct);
        if (settings is not { ChannelShiftService: { Length: > 0 } service, ChannelShiftIntervention: { } intervention })
        {
            return new ReportSection("channel-shift", title, "No analysis configured.", [])
            {
                Note = "No channel-shift analysis is configured for the monthly report. An analyst or admin can choose a service and intervention date on the reports page.",
            };
        }

        var analysis = await shift.AnalyseAsync(service, intervention, ct);
        var r = analysis.Result;
        var basis = $"Interrupted time series on daily calls about {service} from the contact-centre data, intervention {intervention.ToString("d MMMM yyyy", Gb)}; " +
                    $"{r.DaysBefore} days before and {r.DaysAfter} days from it, all the data held (not only this month). Method: /dashboards/methods.";
        if (!r.Enough)
        {
            return new ReportSection("channel-shift", title, basis, []) { Note = "Too little data for a conclusion: " + r.NotEnoughReason };
        }

        List<IReadOnlyList<ReportCell>> rows =
        [
            ["Change in calls a day (mean, observed − counterfactual)", ReportCell.Fixed(r.MeanDailyChange), ReportCell.Fixed(r.MeanDailyLow), ReportCell.Fixed(r.MeanDailyHigh)],
            ["Total change over the days after", ReportCell.Fixed(r.TotalChange, 0), ReportCell.Fixed(r.TotalLow, 0), ReportCell.Fixed(r.TotalHigh, 0)],
            ["Level change on the day", ReportCell.Fixed(r.LevelChange), ReportCell.Fixed(r.LevelLow), ReportCell.Fixed(r.LevelHigh)],
        ];
        if (analysis.CostPerCall is { } cost)
        {
            rows.Add([$"Cost of that change at £{cost.ToString("0.00", Gb)} a call{(analysis.CostIsDefault ? " (Socitm's figure)" : "")}",
                new ReportCell("£" + ((double)cost * r.TotalChange).ToString("N0", Gb), (double)cost * r.TotalChange, "£#,##0"),
                new ReportCell("£" + ((double)cost * r.TotalLow).ToString("N0", Gb), (double)cost * r.TotalLow, "£#,##0"),
                new ReportCell("£" + ((double)cost * r.TotalHigh).ToString("N0", Gb), (double)cost * r.TotalHigh, "£#,##0")]);
        }

        return new ReportSection("channel-shift", title, basis + (analysis.CostIsDefault ? " " + ChannelShift.SocitmCitation : ""),
            [new ReportTable($"Calls about {service}", ["Figure", "Estimate", "95% interval, low", "95% interval, high"], rows)])
        {
            Note = r.Significant
                ? $"Calls changed by {r.MeanDailyChange.ToString("+0.0;-0.0", Gb)} a day after {intervention.ToString("d MMMM yyyy", Gb)}; the 95% interval excludes no change."
                : "No change in calls can be told apart from chance at the 95% level.",
        };
    }

    private async Task<ReportSection> IndexAsync(DateOnly month, long? teamId, string scopeName, CancellationToken ct)
    {
        var months = await index.MonthsAsync(month, 2, teamId, scopeName, ct);
        var (now, before) = (months[^1], months[0]);
        var rows = now.Components.Select(c => (IReadOnlyList<ReportCell>)[c.Component.Name, ReportCell.Share(c.Component.Weight),
            c.Score is { } s ? ReportCell.Fixed(s) : "not measured", c.Basis]).ToList();
        rows.Insert(0, ["Engagement Index", ReportCell.Share(now.Coverage), now.Score is { } score ? ReportCell.Fixed(score) : "no score",
            now.Score is null
                ? $"{now.Conversations} conversation(s) ({EngagementIndex.MinimumConversations} needed), {now.Coverage.ToString("P0", Gb)} of the weight measured"
                : $"weighted mean of the measured components; {before.Month.ToString("MMMM", Gb)}: {(before.Score is { } b ? b.ToString("N1", Gb) : "no score")}"]);
        return new ReportSection("engagement-index", "Engagement Index",
            $"The CivicDesk Engagement Index for {month.ToString("MMMM yyyy", Gb)}, {scopeName}: conversations opened in the month ({now.Conversations:N0}). " +
            "Components that cannot be measured are left out and the weights rescaled; the formula is on /dashboards/methods.",
            [new ReportTable("Score and components", ["Component", "Weight", "Score (0–100)", "Basis"], rows)]);
    }

    /// <summary>A headline's value as a number when it is one ("1,234" or "85%"), else text.</summary>
    private static ReportCell Numeric(string value)
    {
        if (value.EndsWith('%') && double.TryParse(value[..^1], NumberStyles.Number, Gb, out var percent))
        {
            return new ReportCell(value, percent / 100, "0%");
        }

        return double.TryParse(value, NumberStyles.Number, Gb, out var n) ? new ReportCell(value, n, "#,##0") : new ReportCell(value);
    }
}
