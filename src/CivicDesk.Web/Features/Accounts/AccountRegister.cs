using CivicDesk.Web.Platform;
using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Accounts;

public sealed class AccountRegisterOptions
{
    public const string Section = "AccountRegister";

    /// <summary>An account that has neither posted nor replied for this many days is flagged dormant (per account overridable).</summary>
    [Range(1, 3650)] public int DormancyDays { get; set; } = 30;

    /// <summary>Trial ends and reviews this close (or past) are listed as needing attention.</summary>
    [Range(0, 365)] public int ReminderDays { get; set; } = 14;

    /// <summary>How often the reminder job looks for trial ends, reviews and dormant accounts (and emails them when SMTP is configured).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromHours(6);

    public bool ReminderWorkerEnabled { get; set; } = true;
}

/// <summary>One account with what CivicDesk knows of its activity and what needs doing about it.</summary>
public sealed record AccountView(SocialAccount Account, string? TeamName, DateTime? LastPostAt, DateTime? LastReplyAt, int PostsAndRepliesLast7Days,
    bool IsDormant, int DormancyDays, string? Attention);

/// <summary>
/// Reads the register with each account's activity: for connected accounts from the channel's outbound messages (a
/// reply answers someone, a post does not), for the others from what staff recorded; then flags dormancy and
/// reviews or trial ends that are due.
/// </summary>
public sealed class AccountRegister(CivicDeskDb db, TimeProvider clock, IOptions<AccountRegisterOptions> options)
{
    public async Task<IReadOnlyList<AccountView>> ListAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var weekAgo = now.AddDays(-7);
        var accounts = await db.SocialAccounts.AsNoTracking().OrderBy(a => a.Network).ThenBy(a => a.Handle).ToListAsync(ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var channelIds = accounts.Where(a => a.ChannelId is not null).Select(a => a.ChannelId!.Value).ToList();
        var activity = await db.Messages.AsNoTracking()
            .Where(m => channelIds.Contains(m.ChannelId) && m.Direction == MessageDirection.Outbound)
            .GroupBy(m => m.ChannelId)
            .Select(g => new
            {
                ChannelId = g.Key,
                LastPost = g.Where(m => m.InReplyTo == null).Max(m => (DateTime?)m.CreatedAt),
                LastReply = g.Where(m => m.InReplyTo != null).Max(m => (DateTime?)m.CreatedAt),
                Week = g.Count(m => m.CreatedAt >= weekAgo),
            })
            .ToDictionaryAsync(x => x.ChannelId, ct);

        return accounts.Select(a =>
        {
            var seen = a.ChannelId is { } channel && activity.TryGetValue(channel, out var act) ? act : null;
            var lastPost = Latest(seen?.LastPost, a.LastPostAt);
            var lastReply = Latest(seen?.LastReply, a.LastReplyAt);
            var dormancyDays = a.DormancyDays ?? options.Value.DormancyDays;
            var lastActive = Latest(lastPost, lastReply) ?? a.CreatedAt;
            var live = a.Status is SocialAccountStatus.Trial or SocialAccountStatus.Active or SocialAccountStatus.Dormant;
            var dormant = live && (now - lastActive).TotalDays >= dormancyDays;
            return new AccountView(a, a.TeamId is { } t ? teams.GetValueOrDefault(t) : null, lastPost, lastReply, seen?.Week ?? 0, dormant, dormancyDays, Attention(a, today));
        }).ToList();
    }

    private string? Attention(SocialAccount a, DateOnly today)
    {
        if (a.Status == SocialAccountStatus.Closed)
        {
            return null;
        }

        var soon = today.AddDays(options.Value.ReminderDays);
        if (a.Status == SocialAccountStatus.Trial && a.TrialEndsOn is { } trialEnd && trialEnd <= soon)
        {
            return trialEnd < today ? $"Trial ended {Day(trialEnd)}: review it" : $"Trial ends {Day(trialEnd)}";
        }

        if (a.NextReviewOn is { } review && review <= soon)
        {
            return review < today ? $"Review overdue since {Day(review)}" : $"Review due {Day(review)}";
        }

        return null;
    }

    private static string Day(DateOnly d) => d.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    private static DateTime? Latest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

public static class AccountsFeature
{
    public static WebApplicationBuilder AddAccountsFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccountRegisterOptions>().BindConfiguration(AccountRegisterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<AccountRegister>();
        builder.Services.AddScoped<GuestCurators>();
        builder.Services.AddScoped<StaffDirectory>();
        builder.Services.AddScoped<AccountReminders>();
        if (builder.Configuration.GetValue($"{AccountRegisterOptions.Section}:{nameof(AccountRegisterOptions.ReminderWorkerEnabled)}", true))
        {
            builder.Services.AddBackgroundWorker<AccountReminderWorker>();
        }

        return builder;
    }
}
