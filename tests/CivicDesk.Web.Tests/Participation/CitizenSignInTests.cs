using System.Net;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Participation;

public sealed class CitizenSignInTests(ParticipationFactory site) : IClassFixture<ParticipationFactory>
{
    [Fact]
    public async Task The_emailed_link_signs_in_once_and_only_in_the_browser_that_asked()
    {
        var email = $"ada-{Guid.NewGuid():N}@example.org";
        var browser = StaffClient.Anonymous(site);
        var asked = await StaffClient.PostFormAsync(browser, "/participate/sign-in", "/participate/sign-in", new Dictionary<string, string> { ["Email"] = email });
        asked.Headers.Location!.OriginalString.ShouldBe("/participate/sign-in/check-email");

        var mail = await site.Smtp.WaitForMailAsync(email);
        mail.Subject!.ShouldContain("Sign in");
        var link = new Uri(TestSmtpServer.LinkIn(mail, "/participate/sign-in/")).PathAndQuery;

        // Another browser (no nonce cookie): refused, and the link is not used up.
        var other = StaffClient.Anonymous(site);
        var elsewhere = await other.GetAsync(link);
        elsewhere.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await elsewhere.Content.ReadAsStringAsync()).ShouldContain("different browser");

        var first = await browser.GetAsync(link);
        first.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        first.Headers.Location!.OriginalString.ShouldStartWith("/participate/account?welcome=1");
        (await browser.GetStringAsync("/participate/account")).ShouldContain(email);

        var again = await StaffClient.Anonymous(site).GetAsync(link);
        again.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var reuse = await browser.GetAsync(link);
        (await reuse.Content.ReadAsStringAsync()).ShouldContain("already been used");
    }

    [Fact]
    public async Task An_expired_link_does_not_sign_in()
    {
        var email = $"bo-{Guid.NewGuid():N}@example.org";
        var browser = StaffClient.Anonymous(site);
        await StaffClient.PostFormAsync(browser, "/participate/sign-in", "/participate/sign-in", new Dictionary<string, string> { ["Email"] = email });
        var link = new Uri(TestSmtpServer.LinkIn(await site.Smtp.WaitForMailAsync(email), "/participate/sign-in/")).PathAndQuery;
        var lifetime = await site.WithDbAsync(db => db.CitizenSignInTokens.Where(t => t.Email == email).Select(t => t.ExpiresAt - t.CreatedAt).SingleAsync());
        lifetime.ShouldBe(TimeSpan.FromMinutes(15));
        await site.WithDbAsync(db => db.CitizenSignInTokens.Where(t => t.Email == email)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddSeconds(-1))));

        var response = await browser.GetAsync(link);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("expired");
        (await browser.GetAsync("/participate/account")).Headers.Location!.OriginalString.ShouldStartWith("/participate/sign-in");
    }

    [Fact]
    public async Task Known_and_unknown_addresses_get_the_same_answer_and_one_address_gets_at_most_three_mails_an_hour()
    {
        var known = $"known-{Guid.NewGuid():N}@example.org";
        (await site.CitizenAsync(known, "Known")).Dispose();
        var unknown = $"unknown-{Guid.NewGuid():N}@example.org";

        async Task<(HttpStatusCode, string?, string)> Ask(string email)
        {
            var client = StaffClient.Anonymous(site);
            var r = await StaffClient.PostFormAsync(client, "/participate/sign-in", "/participate/sign-in", new Dictionary<string, string> { ["Email"] = email });
            var next = await client.GetStringAsync(r.Headers.Location!.OriginalString);
            return (r.StatusCode, r.Headers.Location?.OriginalString, next);
        }

        var a = await Ask(known);
        var b = await Ask(unknown);
        a.ShouldBe(b);

        for (var i = 0; i < 4; i++)
        {
            (await Ask(unknown)).ShouldBe(b);
        }

        await site.Smtp.WaitForMailAsync(unknown);
        await Task.Delay(500);
        site.Smtp.MailsTo(unknown).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_malformed_address_is_a_clear_error()
    {
        var client = StaffClient.Anonymous(site);
        var r = await StaffClient.PostFormAsync(client, "/participate/sign-in", "/participate/sign-in", new Dictionary<string, string> { ["Email"] = "not an address" });
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await r.Content.ReadAsStringAsync()).ShouldContain("Enter an email address in the correct format");
    }
}
