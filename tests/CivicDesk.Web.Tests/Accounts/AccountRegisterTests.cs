using System.Globalization;
using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Accounts;
using CivicDesk.Web.Tests.Cases;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Accounts;

public sealed class AccountRegisterTests : IClassFixture<OneOrganisationFixture>
{
    private readonly CivicDeskFactory _factory;
    private readonly TestOrganisation _org;

    public AccountRegisterTests(OneOrganisationFixture fixture) => (_factory, _org) = (fixture.Factory, fixture.Org);

    private static string Day(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task SavedAsync(Task<HttpResponseMessage> save)
    {
        var response = await save;
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync());
        (page.QuerySelector(".govuk-error-summary")?.TextContent.Trim() ?? "").ShouldBeEmpty();
    }

    private Task<HttpResponseMessage> SaveAsync(HttpClient client, string handle, string status, long? channelId = null, string? trialEnds = null, bool listPublicly = true) =>
        StaffClient.PostFormAsync(client, "/admin/accounts", "/admin/accounts?handler=Save", new Dictionary<string, string>
        {
            ["Input.Network"] = "Mastodon", ["Input.Handle"] = handle, ["Input.Url"] = "https://mastodon.example/" + handle, ["Input.Owners"] = "Comms team",
            ["Input.Deputy"] = "Duty press officer", ["Input.TeamId"] = _org.Teams["Customer Services"].ToString(CultureInfo.InvariantCulture),
            ["Input.Purpose"] = "News and service updates for " + handle, ["Input.Audience"] = "Residents", ["Input.Status"] = status,
            ["Input.TrialEndsOn"] = trialEnds ?? "", ["Input.CredentialHolder"] = "Head of comms", ["Input.TwoFactorOn"] = "true",
            ["Input.ChannelId"] = channelId?.ToString(CultureInfo.InvariantCulture) ?? "", ["Input.ListPublicly"] = listPublicly ? "true" : "false",
        });

    private async Task<IReadOnlyList<AccountView>> ListAsync()
    {
        await using var scope = _factory.ScopeFor(_org.Id);
        return await scope.ServiceProvider.GetRequiredService<AccountRegister>().ListAsync(default);
    }

    [Fact]
    public async Task Connected_accounts_get_their_activity_from_the_channel_and_go_dormant_when_silent()
    {
        var comms = await StaffClient.SignInAsync(_factory, _org, Roles.Comms);
        var channel = await InboxTestData.ChannelAsync(_factory, _org, ChannelKind.Mastodon);
        await SavedAsync(SaveAsync(comms, "@quiet", "Active", channel));
        var conversation = await InboxTestData.ConversationAsync(_factory, _org, "Is the tip open today?", channelId: channel, kind: ChannelKind.Mastodon);

        async Task OutboundAsync(int daysAgo, bool reply) => await CaseTestData.WithDbAsync(_factory, _org.Id, async db =>
        {
            db.Messages.Add(new Message
            {
                OrganisationId = _org.Id, ChannelId = channel, ConversationId = conversation.Id, Direction = MessageDirection.Outbound,
                ExternalId = "out-" + Guid.NewGuid().ToString("N"), AuthorHandle = "@quiet", Text = "Our reply", InReplyTo = reply ? "x" : null,
                CreatedAt = DateTime.UtcNow.AddDays(-daysAgo), ReceivedAt = DateTime.UtcNow.AddDays(-daysAgo),
            });
            return await db.SaveChangesAsync();
        });

        await OutboundAsync(45, reply: false);
        var quiet = (await ListAsync()).Single(a => a.Account.Handle == "@quiet");
        quiet.LastPostAt!.Value.Date.ShouldBe(DateTime.UtcNow.AddDays(-45).Date);
        quiet.LastReplyAt.ShouldBeNull();
        quiet.IsDormant.ShouldBeTrue();
        (await InboxTestData.GetPageAsync(comms, "/admin/accounts")).QuerySelector("#attention")!.TextContent.ShouldContain("@quiet");

        await OutboundAsync(2, reply: true);
        var woken = (await ListAsync()).Single(a => a.Account.Handle == "@quiet");
        woken.IsDormant.ShouldBeFalse();
        woken.PostsAndRepliesLast7Days.ShouldBe(1);
    }

    [Fact]
    public async Task Trials_ending_soon_are_flagged_reviews_are_recorded_and_the_public_page_lists_live_accounts_only()
    {
        var admin = await StaffClient.SignInAsync(_factory, _org, Roles.Admin);
        await SavedAsync(SaveAsync(admin, "@trial", "Trial", trialEnds: Day(DateTime.UtcNow.AddDays(5))));
        await SavedAsync(SaveAsync(admin, "@planned", "Proposed"));
        await SavedAsync(SaveAsync(admin, "@hidden", "Active", listPublicly: false));
        var missingTrialEnd = await SaveAsync(admin, "@notrial", "Trial");
        (await missingTrialEnd.Content.ReadAsStringAsync()).ShouldContain("Enter when the trial ends");

        (await ListAsync()).Single(a => a.Account.Handle == "@trial").Attention!.ShouldStartWith("Trial ends");

        var page = await InboxTestData.GetPageAsync(StaffClient.Anonymous(_factory), "/accounts");
        var listed = page.QuerySelector("#official-accounts")!.TextContent;
        listed.ShouldContain("@trial");
        listed.ShouldNotContain("@planned");
        listed.ShouldNotContain("@hidden");

        var trial = await CaseTestData.WithDbAsync(_factory, _org.Id, db => db.SocialAccounts.SingleAsync(a => a.Handle == "@trial"));
        var reviewed = await StaffClient.PostFormAsync(admin, "/admin/accounts", "/admin/accounts?handler=Review", new Dictionary<string, string>
        {
            ["Review.AccountId"] = trial.Id.ToString(CultureInfo.InvariantCulture), ["Review.Outcome"] = "Close", ["Review.Notes"] = "Could not keep it going",
        });
        reviewed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await CaseTestData.WithDbAsync(_factory, _org.Id, db => db.SocialAccounts.SingleAsync(a => a.Id == trial.Id))).Status.ShouldBe(SocialAccountStatus.Closed);
        (await CaseTestData.WithDbAsync(_factory, _org.Id, db => db.SocialAccountReviews.SingleAsync(r => r.SocialAccountId == trial.Id))).Outcome.ShouldBe("Close");
        (await CaseTestData.WithDbAsync(_factory, _org.Id, db => db.AuditEvents.CountAsync(e => e.Action == "social-account.reviewed"))).ShouldBe(1);
        (await InboxTestData.GetPageAsync(StaffClient.Anonymous(_factory), "/accounts")).QuerySelector("main")!.TextContent.ShouldNotContain("@trial");
    }

    [Fact]
    public async Task Only_comms_and_admins_keep_the_register()
    {
        foreach (var role in new[] { Roles.Agent, Roles.TeamLead, Roles.Analyst })
        {
            var client = await StaffClient.SignInAsync(_factory, _org, role);
            var response = await client.GetAsync("/admin/accounts");
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, role);
            response.Headers.Location!.ToString().ShouldContain("access-denied", customMessage: role);
        }

        (await StaffClient.Anonymous(_factory).GetAsync("/admin/accounts")).Headers.Location!.ToString().ShouldContain("/account/sign-in");
    }
}
