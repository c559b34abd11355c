using System.Globalization;
using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Connectors;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Publishing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Accounts;

/// <summary>Arranges guest curators directly (for the permission matrix): a sign-in with only the Curator role and one grant.</summary>
public static class CuratorTestData
{
    /// <summary>A curator on <paramref name="channelId"/> from <paramref name="startsAt"/> to <paramref name="endsAt"/>; returns their email and grant id.</summary>
    public static async Task<(string Email, long GrantId)> CreateAsync(CivicDeskFactory factory, TestOrganisation org, long channelId, DateTime startsAt, DateTime endsAt, bool reviewRequired = true)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var sp = scope.ServiceProvider;
        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(Roles.Curator))
        {
            await roles.CreateAsync(new IdentityRole(Roles.Curator));
        }

        var users = sp.GetRequiredService<UserManager<StaffMember>>();
        var email = $"curator-{Guid.NewGuid():N}"[..20] + "@partner.test";
        var member = new StaffMember { UserName = email, Email = email, DisplayName = "Guest (guest curator)", OrganisationId = org.Id, CreatedAt = DateTime.UtcNow, MentorId = org.Staff[Roles.Comms].Id };
        (await users.CreateAsync(member, TestOrganisation.Password)).Succeeded.ShouldBeTrue();
        await users.AddToRoleAsync(member, Roles.Curator);
        var db = sp.GetRequiredService<Web.Data.CivicDeskDb>();
        var grant = new CuratorGrant
        {
            OrganisationId = org.Id, CuratorId = member.Id, CuratorName = "Guest", ChannelId = channelId, StartsAt = startsAt, EndsAt = endsAt,
            ReviewRequired = reviewRequired, GrantedById = org.Staff[Roles.Comms].Id, GrantedByName = "Comms", CreatedAt = DateTime.UtcNow,
        };
        db.CuratorGrants.Add(grant);
        await db.SaveChangesAsync();
        return (email, grant.Id);
    }
}

/// <summary>
/// Guest curators end to end over HTTP: the owner grants access on the page, the curator signs in with the one-time
/// password, posts through the review queue (or straight out), is kept out of everything else, and is signed out on the
/// first request after the end time or a revocation. The posts really reach a fake Mastodon on 127.0.0.1.
/// </summary>
public sealed class GuestCuratorTests(PublishingFactory factory) : IClassFixture<PublishingFactory>
{
    private static string Local(DateTime t) => t.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    private static async Task<(HttpResponseMessage Response, AngleSharp.Html.Dom.IHtmlDocument Page)> GrantAsync(HttpClient owner, long channelId, string email,
        DateTime starts, DateTime ends, bool review = true, string name = "Ada Guest")
    {
        var response = await StaffClient.PostFormAsync(owner, "/admin/curators", "/admin/curators?handler=Grant", new Dictionary<string, string>
        {
            ["Input.Name"] = name, ["Input.Email"] = email, ["Input.Affiliation"] = "Citizen curator", ["Input.ChannelId"] = channelId.ToString(CultureInfo.InvariantCulture),
            ["Input.StartsAt"] = Local(starts), ["Input.EndsAt"] = Local(ends), ["Input.ReviewRequired"] = review ? "true" : "false", ["Input.Note"] = "Tourism week",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (response, await InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync()));
    }

    private static string PasswordOn(AngleSharp.Html.Dom.IHtmlDocument page)
    {
        var codes = page.QuerySelectorAll("#new-password code");
        return codes[codes.Length - 1].TextContent.Trim();
    }

    private static bool SentToSignIn(HttpResponseMessage r) =>
        r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location!.ToString().Contains("/account/sign-in", StringComparison.Ordinal);

    private static bool Denied(HttpResponseMessage r) =>
        r.StatusCode == HttpStatusCode.Forbidden
        || (r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location!.ToString().Contains("/account/access-denied", StringComparison.Ordinal));

    [Fact]
    public async Task A_curator_posts_only_through_the_owners_review_sees_nothing_else_and_is_signed_out_when_the_grant_ends()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await FakeSocialNetworks.ConnectChannelsAsync(factory, org, fake.BaseUrl);
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var now = DateTime.UtcNow;
        var email = $"ada-{Guid.NewGuid():N}"[..12] + "@tourism.example";
        var (_, page) = await GrantAsync(comms, channels[ChannelKind.Mastodon], email, now.AddHours(-1), now.AddHours(2));
        page.QuerySelector("#grants")!.TextContent.ShouldContain("Ada Guest");
        var password = PasswordOn(page);

        // The curator signs in and lands on their page; every staff page refuses them.
        var curator = StaffClient.Anonymous(factory);
        var token = await StaffClient.AntiforgeryTokenAsync(curator, "/account/sign-in");
        var signIn = await curator.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        signIn.Headers.Location!.ToString().ShouldBe("/curate");
        (await curator.GetAsync("/curate")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var path in new[] { "/inbox", "/cases", "/review", "/admin/accounts", "/admin/curators", "/publishing", "/account/two-factor" })
        {
            Denied(await curator.GetAsync(path)).ShouldBeTrue(path);
        }

        // Their post waits for the owner; nothing reaches the network yet.
        var grantId = await InboxTestData.WithDbAsync(factory, org.Id, db => db.CuratorGrants.Where(g => g.CuratorName == "Ada Guest").Select(g => g.Id).SingleAsync());
        var posted = await StaffClient.PostFormAsync(curator, "/curate", "/curate", new Dictionary<string, string>
        {
            ["GrantId"] = grantId.ToString(CultureInfo.InvariantCulture), ["Text"] = "This week I'm showing you the coastal path from Crail.",
        });
        posted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await InboxTestData.ParseAsync(await posted.Content.ReadAsStringAsync())).QuerySelector("#posts")!.TextContent.ShouldContain("Waiting for approval");
        var item = await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.AsNoTracking().SingleAsync(r => r.SubmittedText.Contains("coastal path")));
        item.MentorId.ShouldBe(org.Staff[Roles.Comms].Id);
        item.AuthorName.ShouldContain("guest curator");
        fake.MastodonStatuses.ShouldBeEmpty();

        // The owner approves it and it goes out on the one account granted.
        var approved = await StaffClient.PostFormAsync(comms, $"/review/{item.Id}", $"/review/{item.Id}?handler=Approve", new Dictionary<string, string>());
        approved.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Redirect);
        await Eventually.TrueAsync(() => fake.MastodonStatuses.Any(s => s.Text.Contains("coastal path", StringComparison.Ordinal)), "the approved post on Mastodon");
        fake.Tweets.ShouldBeEmpty();

        // The end time passes: the very next request is refused, with no job involved, and so is a post.
        await InboxTestData.WithDbAsync(factory, org.Id, db => db.CuratorGrants.Where(g => g.Id == grantId)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.EndsAt, DateTime.UtcNow.AddSeconds(-1))));
        SentToSignIn(await curator.GetAsync("/curate")).ShouldBeTrue();
        var again = StaffClient.Anonymous(factory);
        token = await StaffClient.AntiforgeryTokenAsync(again, "/account/sign-in");
        await again.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        SentToSignIn(await again.GetAsync("/curate")).ShouldBeTrue();

        var actions = await InboxTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).Select(e => new { e.Action, e.ActorName }).ToListAsync());
        actions.ShouldContain(a => a.Action == "curator.granted");
        actions.ShouldContain(a => a.Action == "publication.submitted" && a.ActorName.Contains("guest curator"));
        actions.ShouldContain(a => a.Action == "review.approved");
    }

    [Fact]
    public async Task An_owner_may_let_posts_go_straight_out_and_ending_a_grant_early_signs_the_curator_out()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await FakeSocialNetworks.ConnectChannelsAsync(factory, org, fake.BaseUrl);
        var now = DateTime.UtcNow;
        var (email, grantId) = await CuratorTestData.CreateAsync(factory, org, channels[ChannelKind.Mastodon], now.AddMinutes(-5), now.AddDays(3), reviewRequired: false);
        var curator = await StaffClient.SignInAsync(factory, email);
        var posted = await StaffClient.PostFormAsync(curator, "/curate", "/curate", new Dictionary<string, string>
        {
            ["GrantId"] = grantId.ToString(CultureInfo.InvariantCulture), ["Text"] = "Partner update: the ferry runs hourly from today.",
        });
        posted.StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.TrueAsync(() => fake.MastodonStatuses.Any(s => s.Text.Contains("ferry runs hourly", StringComparison.Ordinal)), "the post on Mastodon");
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.CountAsync())).ShouldBe(0);

        // A grant on one account is no key to another: a forged grant id is refused.
        var forged = await StaffClient.PostFormAsync(curator, "/curate", "/curate", new Dictionary<string, string> { ["GrantId"] = (grantId + 1000).ToString(CultureInfo.InvariantCulture), ["Text"] = "x" });
        (await forged.Content.ReadAsStringAsync()).ShouldContain("You do not have access to that account");

        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var revoked = await StaffClient.PostFormAsync(admin, "/admin/curators", $"/admin/curators?handler=Revoke&id={grantId}", new Dictionary<string, string>());
        revoked.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        SentToSignIn(await curator.GetAsync("/curate")).ShouldBeTrue();
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.AnyAsync(e => e.Action == "curator.revoked"))).ShouldBeTrue();
    }

    [Fact]
    public async Task A_bad_grant_changes_nothing_and_a_member_of_staff_cannot_be_made_a_guest()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await FakeSocialNetworks.ConnectChannelsAsync(factory, org, new Uri("http://127.0.0.1:9/"));
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var now = DateTime.UtcNow;
        async Task<int> UsersAsync() => await InboxTestData.WithDbAsync(factory, org.Id, db => db.Users.CountAsync(u => u.OrganisationId == org.Id));
        var before = await UsersAsync();

        var (_, backwards) = await GrantAsync(comms, channels[ChannelKind.Mastodon], "backwards@tourism.example", now.AddDays(2), now.AddDays(1));
        backwards.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("The end must be after the start");
        var (_, tooLong) = await GrantAsync(comms, channels[ChannelKind.Mastodon], "long@tourism.example", now, now.AddDays(200));
        tooLong.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("at most 92 days");
        var (_, staff) = await GrantAsync(comms, channels[ChannelKind.Mastodon], org.Staff[Roles.Agent].Email, now, now.AddDays(1));
        staff.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("belongs to a member of staff");
        var (_, notConnected) = await GrantAsync(comms, org.WebFormChannelId, "webform@tourism.example", now, now.AddDays(1));
        notConnected.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("connected for publishing");

        (await UsersAsync()).ShouldBe(before);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.CuratorGrants.CountAsync())).ShouldBe(0);
        // The agent is still only an agent.
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.UserRoles.CountAsync(r => r.UserId == org.Staff[Roles.Agent].Id))).ShouldBe(1);
    }
}
