using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Security;

/// <summary>A clock the test moves forward, standing in for hours of a busy session.</summary>
public sealed class MovableClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}

public sealed class MovableClockFactory : CivicDeskFactory
{
    public MovableClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed class SessionLifetimeTests : IClassFixture<MovableClockFactory>
{
    private readonly MovableClockFactory _factory;

    public SessionLifetimeTests(MovableClockFactory factory) => _factory = factory;

    [Fact]
    public async Task A_busy_session_still_ends_twelve_hours_after_sign_in()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        (await client.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Each visit within the 9-hour sliding window renews the cookie, so without an absolute limit this never ends.
        _factory.Clock.Advance(TimeSpan.FromHours(8));
        (await client.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.OK);
        _factory.Clock.Advance(TimeSpan.FromHours(5));
        var late = await client.GetAsync("/inbox");
        late.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        late.Headers.Location!.ToString().ShouldContain("/account/sign-in");
    }
}

public sealed class SessionHardeningTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public SessionHardeningTests(CivicDeskFactory factory) => _factory = factory;

    [Fact]
    public async Task A_member_made_inactive_is_signed_out_on_their_next_request()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        (await client.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffMember>>();
            var agent = await users.FindByEmailAsync(org.Staff[Roles.Agent].Email);
            // Only the flag: the security stamp is untouched, so Identity's own (30-minute) check would not notice.
            agent!.IsActive = false;
            await scope.ServiceProvider.GetRequiredService<Web.Data.CivicDeskDb>().SaveChangesAsync();
        }

        var next = await client.GetAsync("/inbox");
        next.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        next.Headers.Location!.ToString().ShouldContain("/account/sign-in");
    }

    [Fact]
    public async Task An_admin_without_two_factor_is_sent_to_enrol_and_can_do_nothing_else()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var email = org.Staff[Roles.Admin].Email;
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffMember>>();
            await users.SetTwoFactorEnabledAsync((await users.FindByEmailAsync(email))!, false);
        }

        // The password alone signs them in (the demo's admin can still get in) …
        var client = await StaffClient.SignInAsync(_factory, email);
        foreach (var path in new[] { "/admin/channels", "/inbox", "/cases" })
        {
            var response = await client.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, path);
            response.Headers.Location!.ToString().ShouldBe("/account/two-factor?required=admin", customMessage: path);
        }

        // … and is asked to set up an authenticator, which the enrolment page allows.
        var page = await Inbox.InboxTestData.GetPageAsync(client, "/account/two-factor?required=admin");
        page.QuerySelector("#admin-two-factor-required")!.TextContent.ShouldContain("Administrators must turn on two-factor sign-in");
        var key = Totp.FromBase32(page.QuerySelector("#shared-key")!.TextContent);
        var enabled = await StaffClient.PostFormAsync(client, "/account/two-factor", "/account/two-factor?handler=Enable",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        enabled.StatusCode.ShouldBe(HttpStatusCode.OK);

        // Enrolled (the cookie is refreshed with the two-factor claim): admin pages open.
        (await client.GetAsync("/admin/channels")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_admin_with_two_factor_uses_admin_pages_and_other_roles_are_unaffected()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        (await (await StaffClient.SignInAsync(_factory, org, Roles.Admin)).GetAsync("/admin/channels")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await StaffClient.SignInAsync(_factory, org, Roles.Agent)).GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Over_https_responses_carry_hsts_and_every_cookie_is_secure()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var https = _factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://civicdesk.example"), AllowAutoRedirect = false, HandleCookies = false,
        });
        var page = await https.GetAsync("/account/sign-in");
        page.Headers.TryGetValues("Strict-Transport-Security", out var hsts).ShouldBeTrue();
        hsts!.Single().ShouldContain("max-age=31536000");
        var antiforgery = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("civicdesk.af", StringComparison.Ordinal));
        antiforgery.ShouldContain("secure", Shouldly.Case.Insensitive);

        var token = StaffClient.ExtractToken(await page.Content.ReadAsStringAsync())!;
        var signIn = new HttpRequestMessage(HttpMethod.Post, "/account/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = org.Staff[Roles.Agent].Email, ["Input.Password"] = TestOrganisation.Password, ["__RequestVerificationToken"] = token,
            }),
        };
        signIn.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        var signedIn = await https.SendAsync(signIn);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var session = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("civicdesk.staff", StringComparison.Ordinal));
        session.ShouldContain("secure", Shouldly.Case.Insensitive);
        session.ShouldContain("httponly", Shouldly.Case.Insensitive);

        // Plain http (local development behind nothing): no HSTS, which browsers would ignore there anyway.
        var plain = await StaffClient.Anonymous(_factory).GetAsync("/account/sign-in");
        plain.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
    }
}
