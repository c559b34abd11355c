using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards.Audience;

/// <summary>One connected account as the audience page shows it: its latest figures, change over the period, and the job's state.</summary>
public sealed record AudienceAccountView(
    long ChannelId,
    ChannelKind Kind,
    string Name,
    string? Account,
    string? TeamName,
    AccountAudienceSnapshot? Latest,
    AccountAudienceSnapshot? PeriodStart,
    AudienceReadState? State)
{
    /// <summary>Followers gained (or lost) from the first read in the period to the latest; null with fewer than two reads on different days.</summary>
    public long? Growth => PeriodStart?.Followers is { } s && Latest?.Followers is { } e && PeriodStart.Day < Latest.Day ? e - s : null;
}

/// <summary>One published post (one publication on one account) with its latest reactions.</summary>
public sealed record PostReachView(long DeliveryId, long PublicationId, ChannelKind Kind, string AccountName, string Text, DateTime DeliveredAt, string? RemoteUrl,
    PostReachSnapshot? Latest);

public sealed record AudienceView(
    DateOnly From,
    DateOnly To,
    IReadOnlyList<AudienceAccountView> Accounts,
    ChartModel Growth,
    IReadOnlyList<PostReachView> Posts,
    int TotalPosts,
    int Page,
    int PageSize);

/// <summary>
/// Reads the audience page from the snapshots the daily job stores. Scope: Comms, analysts, admins and sees-everything
/// teams see every connected account; everyone else sees the accounts the account register gives to one of their
/// teams (<see cref="SocialAccount.TeamId"/>), and the posts published on those accounts. An account with no team
/// in the register is seen only by the organisation-wide roles.
/// </summary>
public sealed class AudienceDashboard(CivicDeskDb db, AudienceCollector collector)
{
    public const int PageSize = 25;

    /// <summary>The connected accounts (channels) in the viewer's scope that the job can read.</summary>
    public async Task<List<long>> VisibleChannelIdsAsync(DashboardScope scope, CancellationToken ct)
    {
        var kinds = collector.Kinds.ToList();
        var connected = db.ChannelConnections.Select(c => c.ChannelId);
        var channels = db.Channels.Where(c => kinds.Contains(c.Kind) && connected.Contains(c.Id));
        if (scope.TeamIds is { } teams)
        {
            var teamIds = teams.ToList();
            var owned = db.SocialAccounts.Where(a => a.ChannelId != null && a.TeamId != null && teamIds.Contains(a.TeamId.Value)).Select(a => a.ChannelId!.Value);
            channels = channels.Where(c => owned.Contains(c.Id));
        }

        return await channels.Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>The first day any account in scope was read, or null before the first read.</summary>
    public async Task<DateOnly?> FirstReadDayAsync(DashboardScope scope, CancellationToken ct)
    {
        var ids = await VisibleChannelIdsAsync(scope, ct);
        return await db.AccountAudienceSnapshots.Where(s => ids.Contains(s.ChannelId)).MinAsync(s => (DateOnly?)s.Day, ct);
    }

    public async Task<AudienceView> BuildAsync(DateOnly from, DateOnly to, DashboardScope scope, int page, CancellationToken ct)
    {
        var ids = await VisibleChannelIdsAsync(scope, ct);
        var channels = await db.Channels.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var register = await db.SocialAccounts.AsNoTracking().Where(a => a.ChannelId != null && ids.Contains(a.ChannelId.Value))
            .Select(a => new { ChannelId = a.ChannelId!.Value, a.TeamId }).ToListAsync(ct);
        var states = await db.AudienceReadStates.AsNoTracking().Where(s => ids.Contains(s.ChannelId)).ToDictionaryAsync(s => s.ChannelId, ct);
        var inPeriod = await db.AccountAudienceSnapshots.AsNoTracking()
            .Where(s => ids.Contains(s.ChannelId) && s.Day >= from && s.Day <= to)
            .OrderBy(s => s.Day).ToListAsync(ct);
        // The latest read of each account, whenever it was (the period may be in the past).
        var latestDays = await db.AccountAudienceSnapshots.AsNoTracking().Where(s => ids.Contains(s.ChannelId))
            .GroupBy(s => s.ChannelId).Select(g => new { ChannelId = g.Key, Day = g.Max(s => s.Day) }).ToListAsync(ct);
        var latestKeys = latestDays.Select(l => l.Day).Distinct().ToList();
        var latestRows = await db.AccountAudienceSnapshots.AsNoTracking()
            .Where(s => ids.Contains(s.ChannelId) && latestKeys.Contains(s.Day)).ToListAsync(ct);
        var latest = latestRows.Where(r => latestDays.Any(l => l.ChannelId == r.ChannelId && l.Day == r.Day)).ToDictionary(r => r.ChannelId);

        var accounts = channels.Select(c =>
        {
            var teamId = register.FirstOrDefault(r => r.ChannelId == c.Id)?.TeamId;
            var series = inPeriod.Where(s => s.ChannelId == c.Id && s.Followers != null).ToList();
            return new AudienceAccountView(c.Id, c.Kind, c.Name, c.Account, teamId is { } t && teams.TryGetValue(t, out var n) ? n : null,
                latest.GetValueOrDefault(c.Id), series.FirstOrDefault(), states.GetValueOrDefault(c.Id));
        }).ToList();

        var labels = new List<string>();
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            labels.Add(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        var growth = new ChartModel
        {
            Id = "audience-followers",
            Title = "Followers by day, per account",
            Description = $"Followers each account had when the daily audience job read it, {from.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"))} to {to.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"))}. A gap is a day with no read (the job had not run, or the network refused it), never zero.",
            LabelHeading = "Day",
            ValueHeading = "Followers",
            TimeUnit = "day",
            Labels = labels,
            Series = accounts.Where(a => inPeriod.Any(s => s.ChannelId == a.ChannelId && s.Followers != null)).Select(a =>
            {
                var byDay = inPeriod.Where(s => s.ChannelId == a.ChannelId).ToDictionary(s => s.Day, s => s.Followers);
                return new ChartSeries(Label(a), labels.Select((_, i) => byDay.TryGetValue(from.AddDays(i), out var f) && f is { } v ? (double?)v : null).ToList());
            }).ToList(),
        };

        var delivered = db.PublicationDeliveries.AsNoTracking()
            .Where(d => ids.Contains(d.ChannelId) && d.State == DeliveryState.Delivered && d.RemoteId != null);
        var total = await delivered.CountAsync(ct);
        page = Math.Clamp(page, 1, Math.Max(1, (total + PageSize - 1) / PageSize));
        var deliveries = await delivered.OrderByDescending(d => d.DeliveredAt).ThenByDescending(d => d.Id)
            .Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(ct);
        var deliveryIds = deliveries.Select(d => d.Id).ToList();
        var reach = await db.PostReachSnapshots.AsNoTracking().Where(s => deliveryIds.Contains(s.PublicationDeliveryId)).ToListAsync(ct);
        var latestReach = reach.GroupBy(r => r.PublicationDeliveryId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Day)!);
        var names = channels.ToDictionary(c => c.Id, c => c.Name);
        var posts = deliveries.Select(d => new PostReachView(d.Id, d.PublicationId, d.Kind, names.GetValueOrDefault(d.ChannelId, "?"), d.Text,
            d.DeliveredAt ?? DateTime.MinValue, SafeUrl(d.RemoteUrl), latestReach.GetValueOrDefault(d.Id))).ToList();
        return new AudienceView(from, to, accounts, growth, posts, total, page, PageSize);
    }

    public static string Label(AudienceAccountView a) =>
        a.Account is { Length: > 0 } account && !string.Equals(account, a.Name, StringComparison.OrdinalIgnoreCase) ? $"{a.Name} ({account})" : a.Name;

    /// <summary>Only http(s) links to the post are shown as links; anything else (a stored at:// or odd value) is not.</summary>
    public static string? SafeUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "https" or "http" ? u.ToString() : null;

    public static string NetworkName(ChannelKind kind) => kind switch
    {
        ChannelKind.Twitter => "X",
        _ => kind.ToString(),
    };
}
