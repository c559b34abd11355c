using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Security;

public sealed class TwoFactorTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public TwoFactorTests(CivicDeskFactory factory) => _factory = factory;

    private static async Task<byte[]> SharedKeyAsync(HttpClient client)
    {
        var page = await InboxTestData.GetPageAsync(client, "/account/two-factor");
        var img = page.QuerySelector("img.civicdesk-qr")!;
        img.GetAttribute("src")!.ShouldStartWith("data:image/png;base64,");
        img.GetAttribute("alt").ShouldNotBeNullOrWhiteSpace();
        return Totp.FromBase32(page.QuerySelector("#shared-key")!.TextContent);
    }

    [Fact]
    public async Task Enrol_with_an_authenticator_then_sign_in_needs_the_code()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var email = org.Staff[Roles.Agent].Email;
        var client = await StaffClient.SignInAsync(_factory, email);
        var key = await SharedKeyAsync(client);

        var wrong = await StaffClient.PostFormAsync(client, "/account/two-factor", "/account/two-factor?handler=Enable",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow, stepOffset: 10) });
        wrong.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await wrong.Content.ReadAsStringAsync()).ShouldContain("The code is not correct or has expired");

        var enabled = await StaffClient.PostFormAsync(client, "/account/two-factor", "/account/two-factor?handler=Enable",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        enabled.StatusCode.ShouldBe(HttpStatusCode.OK);
        var shown = await InboxTestData.ParseAsync(await enabled.Content.ReadAsStringAsync());
        var codes = shown.QuerySelectorAll("#recovery-codes li").Select(li => li.TextContent.Trim()).ToList();
        codes.Count.ShouldBe(10);
        codes.ShouldBeUnique();

        // Resubmitting the form does not replace the codes.
        var resubmitted = await StaffClient.PostFormAsync(client, "/account/two-factor", "/account/two-factor?handler=Enable",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        resubmitted.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // Shown once: the page no longer lists them, and this session is still signed in.
        var again = await InboxTestData.GetPageAsync(client, "/account/two-factor");
        again.QuerySelector("#recovery-codes").ShouldBeNull();
        again.QuerySelector("main")!.TextContent.ShouldContain("10 recovery codes left");
        (await InboxTestData.WithDbAsync(_factory, org.Id, db => db.AuditEvents.CountAsync(a => a.Action == "staff.two-factor-enabled"))).ShouldBe(1);

        (await StaffClient.PostFormAsync(client, "/inbox", "/account/sign-out", new Dictionary<string, string>())).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var fresh = StaffClient.Anonymous(_factory);
        var token = await StaffClient.AntiforgeryTokenAsync(fresh, "/account/sign-in");
        var password = await fresh.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.Password"] = TestOrganisation.Password, ["__RequestVerificationToken"] = token,
        }));
        password.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        password.Headers.Location!.ToString().ShouldStartWith("/account/sign-in/two-factor");
        (await fresh.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the password alone must not sign in");

        // The next step's code: within the accepted window, and never the one already used to enrol.
        var code = await StaffClient.PostFormAsync(fresh, "/account/sign-in/two-factor", "/account/sign-in/two-factor",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow, stepOffset: 1) });
        code.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        code.Headers.Location!.ToString().ShouldBe("/inbox");
        (await fresh.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await InboxTestData.WithDbAsync(_factory, org.Id, db => db.AuditEvents.CountAsync(a => a.Action == "staff.signed-in" && a.After!.Contains("\"twoFactor\":true"))))
            .ShouldBe(1);
    }

    [Fact]
    public async Task Turning_two_factor_off_needs_a_valid_code_and_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Analyst);
        var key = await SharedKeyAsync(client);
        (await StaffClient.PostFormAsync(client, "/account/two-factor", "/account/two-factor?handler=Enable",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow) })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var refused = await StaffClient.PostFormAsync(client, "/account/two-factor", "/account/two-factor?handler=Disable",
            new Dictionary<string, string> { ["Code"] = "not-a-code" });
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("Enter a correct code");

        var off = await StaffClient.PostFormAsync(client, "/account/two-factor", "/account/two-factor?handler=Disable",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow, stepOffset: 1) });
        off.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = await InboxTestData.GetPageAsync(client, "/account/two-factor");
        page.QuerySelector("#shared-key").ShouldNotBeNull();
        // A new key: the old authenticator entry is useless now.
        Totp.FromBase32(page.QuerySelector("#shared-key")!.TextContent).ShouldNotBe(key);
        (await InboxTestData.WithDbAsync(_factory, org.Id, db => db.AuditEvents.CountAsync(a => a.Action == "staff.two-factor-disabled"))).ShouldBe(1);
        (await StaffClient.SignInAsync(_factory, org, Roles.Analyst)).ShouldNotBeNull();
    }
}
