using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>Monthly Engagement Index for the organisation (when the viewer sees it all) and for each team in the viewer's scope.</summary>
[Authorize(Policy = Policies.Staff)]
public sealed class EngagementModel(EngagementIndex index, ConversationAccess access, CivicDeskDb db, SlaClock sla, TimeProvider time) : PageModel
{
    public const int Months = 12;

    public IReadOnlyList<IReadOnlyList<MonthlyIndex>> Scopes { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var scope = DashboardScopes.For(await access.ViewerAsync(ct));
        var zone = (await sla.CalendarAsync(ct)).Zone;
        var thisMonth = AggregateTime.LocalDay(time.GetUtcNow().UtcDateTime, zone);
        var scopes = new List<IndexScope>();
        if (scope.TeamIds is null)
        {
            scopes.Add(IndexScope.Organisation);
        }

        foreach (var team in await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct))
        {
            if (scope.Allows(team.Id))
            {
                scopes.Add(IndexScope.ForTeam(team.Id, team.Name));
            }
        }

        // Accounts carry every team's conversations, so only those who see the whole organisation see them.
        if (scope.TeamIds is null)
        {
            foreach (var channel in (await db.Channels.AsNoTracking().Where(c => c.Kind != ChannelKind.Rss).Select(c => new { c.Id, c.Name, c.Kind, c.Account }).ToListAsync(ct))
                .OrderBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase))
            {
                scopes.Add(IndexScope.ForAccount(channel.Id, AccountName(channel.Name, channel.Kind, channel.Account)));
            }
        }

        var list = await index.MonthsAsync(thisMonth, Months, scopes, ct);
        Scopes = list;
    }

    /// <summary>"Account: Roads (Mastodon, @roads@example.social)".</summary>
    public static string AccountName(string name, ChannelKind kind, string? account) =>
        $"Account: {name} ({InboxText.Channel(kind)}{(string.IsNullOrWhiteSpace(account) ? "" : ", " + account)})";

    public static ChartModel Trend(IReadOnlyList<MonthlyIndex> months, int n) => new()
    {
        Id = $"index-{n}",
        Title = $"{months[0].Scope}: Engagement Index by month",
        Description = "Score 0–100; a gap is a month with too little measured to publish a score.",
        TimeUnit = "month", LabelHeading = "Month", ValueHeading = "Score", Decimals = 1,
        Labels = months.Select(m => m.Month.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Series =
        [
            new ChartSeries("Engagement Index", months.Select(m => m.Score).ToList()),
            .. EngagementIndex.Components.Select((c, i) => new ChartSeries(c.Name, months.Select(m => m.Components[i].Score).ToList(), SeriesStyle.Dotted))
                .Where(s => s.Values.Any(v => v is not null)),
        ],
    };
}
