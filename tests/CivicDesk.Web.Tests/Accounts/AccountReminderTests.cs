using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Accounts;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Accounts;

/// <summary>The app with a real SMTP server on 127.0.0.1 and the reminder job left to the test.</summary>
public sealed class ReminderSite : CivicDeskFactory, IAsyncLifetime
{
    public TestSmtpServer Smtp { get; private set; } = null!;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [.. Smtp.Settings, new("AccountRegister:ReminderWorkerEnabled", "false")];

    public async Task InitializeAsync() => Smtp = await TestSmtpServer.StartAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>Review reminders and dormancy alerts: recorded once per occasion, emailed to comms and admins over real SMTP.</summary>
public sealed class AccountReminderTests(ReminderSite site) : IClassFixture<ReminderSite>
{
    private static async Task<IReadOnlyList<AccountReminder>> RunAsync(CivicDeskFactory factory, TestOrganisation org)
    {
        await using var scope = factory.ScopeFor(org.Id);
        return await scope.ServiceProvider.GetRequiredService<AccountReminders>().RunAsync(org.Id, default);
    }

    private static async Task AccountsAsync(CivicDeskFactory factory, TestOrganisation org)
    {
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        await InboxTestData.WithDbAsync(factory, org.Id, async db =>
        {
            db.SocialAccounts.AddRange(
                new SocialAccount { OrganisationId = org.Id, Network = "Instagram", Handle = "@trialling", Status = SocialAccountStatus.Trial, TrialEndsOn = today.AddDays(3), LastPostAt = now.AddDays(-1), CreatedAt = now.AddDays(-80), UpdatedAt = now },
                new SocialAccount { OrganisationId = org.Id, Network = "X", Handle = "@forgotten", Status = SocialAccountStatus.Active, LastPostAt = now.AddDays(-90), CreatedAt = now.AddDays(-400), UpdatedAt = now },
                new SocialAccount { OrganisationId = org.Id, Network = "Mastodon", Handle = "@healthy", Status = SocialAccountStatus.Active, LastPostAt = now.AddDays(-1), NextReviewOn = today.AddDays(90), CreatedAt = now.AddDays(-400), UpdatedAt = now });
            return await db.SaveChangesAsync();
        });
    }

    [Fact]
    public async Task Trial_ends_and_dormant_accounts_are_emailed_to_comms_and_admins_once()
    {
        var org = await TestOrganisation.CreateAsync(site);
        await AccountsAsync(site, org);

        var sent = await RunAsync(site, org);
        sent.Select(r => r.Key).ShouldBe([$"trial:{DateOnly.FromDateTime(DateTime.UtcNow).AddDays(3):yyyy-MM-dd}", $"dormant:{DateTime.UtcNow.AddDays(-90):yyyy-MM-dd}"], ignoreOrder: true);
        sent.ShouldAllBe(r => r.Emailed == 2);

        foreach (var role in new[] { Roles.Comms, Roles.Admin })
        {
            var mail = await site.Smtp.WaitForMailAsync(org.Staff[role].Email);
            mail.Headers["X-CivicDesk-Purpose"].ShouldBe("account-reminder");
            mail.TextBody!.ShouldContain("Instagram @trialling: Trial ends");
            mail.TextBody!.ShouldContain("X @forgotten: no post or reply since");
            mail.TextBody!.ShouldNotContain("@healthy");
        }

        site.Smtp.MailsTo(org.Staff[Roles.Agent].Email).ShouldBeEmpty();
        site.Smtp.MailsTo(org.Staff[Roles.Analyst].Email).ShouldBeEmpty();

        // Running again (the job runs every few hours) sends nothing new.
        (await RunAsync(site, org)).ShouldBeEmpty();
        site.Smtp.MailsTo(org.Staff[Roles.Comms].Email).Count.ShouldBe(1);

        // The review is recorded and the trial extended: a new date is a new occasion, the old one is not repeated.
        await InboxTestData.WithDbAsync(site, org.Id, db => db.SocialAccounts.Where(a => a.Handle == "@trialling")
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.TrialEndsOn, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10))));
        (await RunAsync(site, org)).ShouldHaveSingleItem().Key.ShouldStartWith("trial:");
        (await InboxTestData.WithDbAsync(site, org.Id, db => db.AuditEvents.CountAsync(e => e.Action == "accounts.reminders-sent"))).ShouldBe(2);
    }
}

/// <summary>Without SMTP the reminders are in-app only: recorded, and on the register's "Needs attention" banner.</summary>
public sealed class AccountReminderWithoutEmailTests(Privacy.OneOrganisationFixture fixture) : IClassFixture<Privacy.OneOrganisationFixture>
{
    [Fact]
    public async Task Without_smtp_reminders_are_recorded_and_shown_in_the_app()
    {
        var (factory, org) = (fixture.Factory, fixture.Org);
        var now = DateTime.UtcNow;
        await InboxTestData.WithDbAsync(factory, org.Id, async db =>
        {
            db.SocialAccounts.Add(new SocialAccount { OrganisationId = org.Id, Network = "X", Handle = "@review-due", Status = SocialAccountStatus.Active, LastPostAt = now, NextReviewOn = DateOnly.FromDateTime(now).AddDays(-2), CreatedAt = now, UpdatedAt = now });
            return await db.SaveChangesAsync();
        });
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var sent = await scope.ServiceProvider.GetRequiredService<AccountReminders>().RunAsync(org.Id, default);
            sent.ShouldHaveSingleItem().Key.ShouldStartWith("review-overdue:");
            sent[0].Emailed.ShouldBe(0);
        }

        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        (await InboxTestData.GetPageAsync(comms, "/admin/accounts")).QuerySelector("#attention")!.TextContent.ShouldContain("@review-due: Review overdue");
    }
}
