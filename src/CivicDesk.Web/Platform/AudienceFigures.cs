using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Platform;

/// <summary>
/// One connected account's followers over one calendar month, from the daily audience snapshots. The start figure is
/// the latest read on or before the month's first day (so the last figure of the month before counts as the start),
/// or else the month's earliest read; the end figure is the month's latest read. Either is null when there is no read;
/// <see cref="Growth"/> is null unless both exist on different days, so a single read is never shown as "no growth".
/// </summary>
public sealed record AccountMonthFollowers(
    long ChannelId,
    ChannelKind Kind,
    string AccountName,
    DateOnly Month,
    long? FollowersAtStart,
    DateOnly? StartDay,
    long? FollowersAtEnd,
    DateOnly? EndDay)
{
    public long? Growth => FollowersAtStart is { } s && FollowersAtEnd is { } e && StartDay < EndDay ? e - s : null;

    /// <summary>Growth as a share of the start figure (0.05 = 5%); null when there is no growth figure or no followers at the start.</summary>
    public double? GrowthRate => Growth is { } g && FollowersAtStart is > 0 ? (double)g / FollowersAtStart.Value : null;
}

/// <summary>
/// Reads the audience snapshots the daily audience job records (Features/Dashboards/Audience) for other features — the
/// Engagement Index's reach-and-growth component and reports. Reads the signed-in organisation's rows (the global query
/// filter); a team sees the accounts the account register gives to that team (<see cref="SocialAccount.TeamId"/>).
/// </summary>
public sealed class AudienceFigures(CivicDeskDb db)
{
    /// <summary>The ids of the channels that are the team's accounts in the register; all connected accounts when <paramref name="teamId"/> is null.</summary>
    public static IQueryable<long> AccountChannelIds(CivicDeskDb db, long? teamId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return teamId is { } team
            ? db.SocialAccounts.Where(a => a.TeamId == team && a.ChannelId != null).Select(a => a.ChannelId!.Value)
            : db.ChannelConnections.Select(c => c.ChannelId);
    }

    /// <summary>
    /// Followers per account at the start and end of each month from <paramref name="firstMonth"/> for
    /// <paramref name="months"/> months (the day of <paramref name="firstMonth"/> is ignored), ordered by month then
    /// account. Accounts with no read at all in the span are left out; a month with no read has nulls.
    /// </summary>
    public async Task<IReadOnlyList<AccountMonthFollowers>> MonthlyFollowersAsync(DateOnly firstMonth, int months, long? teamId, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(months, 120);
        var start = new DateOnly(firstMonth.Year, firstMonth.Month, 1);
        var end = start.AddMonths(months);
        var channelIds = await AccountChannelIds(db, teamId).ToListAsync(ct);
        // The reads inside the span, plus each account's last read before it (the first month's start figure).
        var inSpan = await db.AccountAudienceSnapshots.AsNoTracking()
            .Where(s => channelIds.Contains(s.ChannelId) && s.Day >= start && s.Day < end && s.Followers != null)
            .Select(s => new { s.ChannelId, s.Day, s.Followers })
            .ToListAsync(ct);
        var before = await db.AccountAudienceSnapshots.AsNoTracking()
            .Where(s => channelIds.Contains(s.ChannelId) && s.Day < start && s.Followers != null)
            .GroupBy(s => s.ChannelId)
            .Select(g => new { ChannelId = g.Key, Day = g.Max(s => s.Day) })
            .ToListAsync(ct);
        var beforeDays = before.Select(b => b.Day).Distinct().ToList();
        var beforeRows = beforeDays.Count == 0 ? [] : await db.AccountAudienceSnapshots.AsNoTracking()
            .Where(s => channelIds.Contains(s.ChannelId) && beforeDays.Contains(s.Day) && s.Followers != null)
            .Select(s => new { s.ChannelId, s.Day, s.Followers })
            .ToListAsync(ct);
        var reads = inSpan
            .Concat(beforeRows.Where(r => before.Any(b => b.ChannelId == r.ChannelId && b.Day == r.Day)))
            .GroupBy(r => r.ChannelId)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Day).Select(r => (r.Day, Followers: r.Followers!.Value)).ToList());
        if (reads.Count == 0)
        {
            return [];
        }

        var ids = reads.Keys.ToList();
        var channels = await db.Channels.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.Kind, c.Name, c.Account }).ToDictionaryAsync(c => c.Id, ct);
        var result = new List<AccountMonthFollowers>();
        for (var m = start; m < end; m = m.AddMonths(1))
        {
            var next = m.AddMonths(1);
            foreach (var (channelId, series) in reads.OrderBy(r => channels.TryGetValue(r.Key, out var c) ? c.Name : "").ThenBy(r => r.Key))
            {
                if (!channels.TryGetValue(channelId, out var channel))
                {
                    continue;
                }

                (DateOnly Day, long Followers)? startRead = series.LastOrDefault(r => r.Day <= m) is { Day.Year: > 1 } onOrBefore ? onOrBefore
                    : series.FirstOrDefault(r => r.Day >= m && r.Day < next) is { Day.Year: > 1 } first ? first : null;
                (DateOnly Day, long Followers)? endRead = series.LastOrDefault(r => r.Day >= m && r.Day < next) is { Day.Year: > 1 } last ? last : null;
                var name = channel.Account is { Length: > 0 } account && account != channel.Name ? $"{channel.Name} ({account})" : channel.Name;
                result.Add(new AccountMonthFollowers(channelId, channel.Kind, name, m,
                    startRead?.Followers, startRead?.Day, endRead?.Followers, endRead?.Day));
            }
        }

        return result;
    }
}
