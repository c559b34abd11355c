using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Accounts;

/// <summary>
/// Review reminders and dormancy alerts. In the app they are always on the register's "Needs attention" banner
/// (<see cref="AccountRegister"/>); this job also records each one once (<see cref="AccountReminder"/>, shown on the
/// register as recent reminders) and, when SMTP is configured, emails it to the organisation's active comms staff and
/// administrators. Each reminder goes once per occasion: a trial end, a review date, a spell of dormancy.
/// </summary>
public sealed class AccountReminders(
    CivicDeskDb db,
    OrganisationContext organisation,
    AccountRegister register,
    ICitizenMailer mailer,
    IOptions<EmailOptions> email,
    AuditLog audit,
    TimeProvider clock,
    ILogger<AccountReminders> log)
{
    /// <summary>Sends what is due for one organisation; returns the reminders recorded this run.</summary>
    public async Task<IReadOnlyList<AccountReminder>> RunAsync(long organisationId, CancellationToken ct)
    {
        organisation.Set(organisationId);
        var now = clock.GetUtcNow().UtcDateTime;
        var due = new List<(SocialAccount Account, string Key, string Text)>();
        foreach (var view in await register.ListAsync(ct))
        {
            var a = view.Account;
            if (view.Attention is { } attention)
            {
                var trial = a.Status == SocialAccountStatus.Trial && attention.StartsWith("Trial", StringComparison.Ordinal);
                var on = trial ? a.TrialEndsOn : a.NextReviewOn;
                // Before the date and again once it has passed: "ends" and "ended" are two occasions.
                var overdue = on is { } d && d < DateOnly.FromDateTime(now);
                due.Add((a, $"{(trial ? "trial" : "review")}{(overdue ? "-overdue" : "")}:{on:yyyy-MM-dd}", $"{a.Network} {a.Handle}: {attention}"));
            }

            if (view.IsDormant)
            {
                var last = Latest(view.LastPostAt, view.LastReplyAt) ?? a.CreatedAt;
                due.Add((a, $"dormant:{last:yyyy-MM-dd}", $"{a.Network} {a.Handle}: no post or reply since {last.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} ({view.DormancyDays} days or more)"));
            }
        }

        if (due.Count == 0)
        {
            return [];
        }

        var accountIds = due.Select(d => d.Account.Id).Distinct().ToList();
        var sent = (await db.AccountReminders.Where(r => accountIds.Contains(r.SocialAccountId)).Select(r => new { r.SocialAccountId, r.Key }).ToListAsync(ct))
            .Select(r => (r.SocialAccountId, r.Key)).ToHashSet();
        var fresh = due.Where(d => !sent.Contains((d.Account.Id, d.Key))).ToList();
        if (fresh.Count == 0)
        {
            return [];
        }

        var recipients = string.IsNullOrWhiteSpace(email.Value.Smtp.Host) ? [] : await RecipientsAsync(organisationId, ct);
        var emailed = 0;
        if (recipients.Count > 0)
        {
            var body = "These social media accounts in the account register need attention:\n\n"
                       + string.Join("\n", fresh.Select(f => "- " + f.Text))
                       + "\n\nOpen the account register in CivicDesk (/admin/accounts) to record a review, extend a trial or close an account.\n";
            foreach (var (to, name) in recipients)
            {
                try
                {
                    await mailer.SendAsync(new CitizenMail(to, fresh.Count == 1 ? "Account register: " + fresh[0].Text : $"Account register: {fresh.Count} accounts need attention", body)
                    {
                        ToName = name, Purpose = "account-reminder",
                    }, ct);
                    emailed++;
                }
                catch (CitizenMailException e)
                {
                    // In-app is the record; a mail server that is down must not lose it. Tomorrow's run does not resend.
                    log.LogWarning(e, "Account reminder mail to one recipient failed");
                }
            }
        }

        var rows = fresh.Select(f => new AccountReminder
        {
            OrganisationId = organisationId, SocialAccountId = f.Account.Id, Key = f.Key, Text = f.Text.Length > 300 ? f.Text[..300] : f.Text, SentAt = now, Emailed = emailed,
        }).ToList();
        db.AccountReminders.AddRange(rows);
        audit.RecordAs(organisationId, null, "system", "accounts.reminders-sent", nameof(AccountReminder), null, after: new { reminders = rows.Count, emailed });
        await db.SaveChangesAsync(ct);
        return rows;
    }

    private async Task<List<(string Email, string Name)>> RecipientsAsync(long organisationId, CancellationToken ct)
    {
        var roleIds = await db.Roles.Where(r => r.Name == Roles.Comms || r.Name == Roles.Admin).Select(r => r.Id).ToListAsync(ct);
        var people = await db.Users.AsNoTracking()
            .Where(u => u.OrganisationId == organisationId && u.IsActive && u.Email != null
                        && db.UserRoles.Any(ur => ur.UserId == u.Id && roleIds.Contains(ur.RoleId)))
            .OrderBy(u => u.Email).Select(u => new { u.Email, u.DisplayName }).ToListAsync(ct);
        return people.Select(p => (p.Email!, p.DisplayName)).ToList();
    }

    private static DateTime? Latest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>Runs <see cref="AccountReminders"/> for every organisation with accounts in the register, once per interval.</summary>
public sealed class AccountReminderWorker(IServiceScopeFactory scopes, IOptions<AccountRegisterOptions> options, ILogger<AccountReminderWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReminderInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                List<long> organisations;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    organisations = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().SocialAccounts.IgnoreQueryFilters()
                        .Select(a => a.OrganisationId).Distinct().ToListAsync(stoppingToken);
                }

                foreach (var organisation in organisations)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<AccountReminders>().RunAsync(organisation, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Account reminders failed");
            }
        }
    }
}
