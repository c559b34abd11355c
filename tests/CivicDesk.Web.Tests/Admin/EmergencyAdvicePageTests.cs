using System.Net;
using AngleSharp.Html.Parser;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Admin;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Public;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Admin;

/// <summary>
/// Issue 14: the organisation's emergency advice was fixed at seeding time. Admins edit it at /admin/emergency-advice
/// (antiforgery, validation with GOV.UK errors, an audit event with the text before and after), and the public pages
/// show the new text at once, encoded, one paragraph a line.
/// </summary>
public sealed class EmergencyAdvicePageTests(PublicSiteFactory factory) : IClassFixture<PublicSiteFactory>
{
    private const string Page = "/admin/emergency-advice";
    private static readonly HtmlParser Parser = new();

    [Theory]
    [InlineData("Agent")]
    [InlineData("TeamLead")]
    [InlineData("Comms")]
    [InlineData("Analyst")]
    public async Task Only_admins_may_open_or_change_the_emergency_advice(string role)
    {
        var org = await factory.OrganisationAsync();
        var client = await StaffClient.SignInAsync(factory, org, role);
        var before = await AdviceAsync(org.Id);

        var get = await client.GetAsync(Page);
        get.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        get.Headers.Location!.ToString().ShouldContain("/account/access-denied");

        // Even with a valid antiforgery token (from a page this role may open), the post is refused.
        var post = await StaffClient.PostFormAsync(client, "/account/two-factor", Page, new Dictionary<string, string> { ["Advice"] = "Call nobody." });
        post.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        post.Headers.Location!.ToString().ShouldContain("/account/access-denied");
        (await AdviceAsync(org.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task Signed_out_visitors_are_sent_to_sign_in()
    {
        await factory.OrganisationAsync();
        var response = await StaffClient.Anonymous(factory).GetAsync(Page);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/sign-in");
    }

    [Fact]
    public async Task An_admin_changes_the_advice_it_is_audited_and_the_public_pages_show_it_encoded()
    {
        var org = await factory.OrganisationAsync();
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        var before = await AdviceAsync(org.Id);
        var form = Parser.ParseDocument(await admin.GetStringAsync(Page));
        form.QuerySelector("textarea#advice")!.TextContent.Trim().ShouldBe(before);

        var text = "  If someone is in immediate danger, call 999.\r\n\r\n\r\nOut of hours: 01234 999 000 <script>alert('x')</script>\r\n";
        var response = await StaffClient.PostFormAsync(admin, Page, Page, new Dictionary<string, string> { ["Advice"] = text });

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var expected = "If someone is in immediate danger, call 999.\n\nOut of hours: 01234 999 000 <script>alert('x')</script>";
        (await AdviceAsync(org.Id)).ShouldBe(expected);
        var page = Parser.ParseDocument(await admin.GetStringAsync(response.Headers.Location!.ToString()));
        page.QuerySelector("#done")!.TextContent.ShouldContain("Emergency advice saved");
        page.QuerySelector("#last-change")!.TextContent.ShouldContain("Last changed by");

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var e = await db.AuditEvents.OrderByDescending(a => a.Sequence).FirstAsync(a => a.Action == EmergencyAdviceModel.AuditAction);
            e.ActorId.ShouldBe(org.Staff["Admin"].Id);
            e.TargetId.ShouldBe(org.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            e.Before!.ShouldContain(System.Text.Json.JsonSerializer.Serialize(before)[1..^1]);
            e.After!.ShouldContain("Out of hours: 01234 999 000");
        }

        // The citizen's home page: two paragraphs, the markup shown as text, not run.
        var home = await StaffClient.Anonymous(factory).GetStringAsync("/");
        home.ShouldContain("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;");
        home.ShouldNotContain("<script>alert('x')</script>");
        var advice = Parser.ParseDocument(home).QuerySelector("#emergency-advice")!;
        advice.QuerySelectorAll("p").Select(p => p.TextContent).ShouldBe(["If someone is in immediate danger, call 999.", "Out of hours: 01234 999 000 <script>alert('x')</script>"]);
        advice.QuerySelector("script").ShouldBeNull();

        // And the confirmation of an urgent report (the test engine calls anything about gas urgent).
        var citizen = Citizen.For(factory);
        var reference = await citizen.SendValidReportAsync("Strong smell of gas by the school gates on North Place");
        var (_, confirmation) = await citizen.GetAsync($"/report/confirmation/{reference}");
        confirmation.QuerySelector("#emergency-advice")!.TextContent.ShouldContain("Out of hours: 01234 999 000");
    }

    [Theory]
    [InlineData("", "Enter the emergency advice citizens should see")]
    [InlineData(" \r\n \t ", "Enter the emergency advice citizens should see")]
    [InlineData(null, "Emergency advice must be 1,000 characters or fewer (it is 1,001)")]
    public async Task Invalid_advice_is_refused_with_a_clear_error_and_nothing_changes(string? advice, string message)
    {
        var org = await factory.OrganisationAsync();
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        var before = await AdviceAsync(org.Id);
        var audited = await AuditCountAsync(org.Id);

        var response = await StaffClient.PostFormAsync(admin, Page, Page,
            new Dictionary<string, string> { ["Advice"] = advice ?? new string('a', EmergencyAdviceModel.MaxLength + 1) });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = Parser.ParseDocument(await response.Content.ReadAsStringAsync());
        html.Title!.ShouldStartWith("Error: ");
        html.QuerySelector(".govuk-error-summary a[href='#advice']")!.TextContent.ShouldBe(message);
        html.QuerySelector("#advice-error")!.TextContent.ShouldContain(message);
        html.QuerySelector(".govuk-form-group--error textarea#advice").ShouldNotBeNull();
        (await AdviceAsync(org.Id)).ShouldBe(before);
        (await AuditCountAsync(org.Id)).ShouldBe(audited);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_rejected()
    {
        var org = await factory.OrganisationAsync();
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        var before = await AdviceAsync(org.Id);

        var response = await admin.PostAsync(Page, new FormUrlEncodedContent(new Dictionary<string, string> { ["Advice"] = "Call 999." }));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await AdviceAsync(org.Id)).ShouldBe(before);
    }

    private async Task<string> AdviceAsync(long orgId)
    {
        await using var scope = factory.ScopeFor(orgId);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Organisations.Where(o => o.Id == orgId).Select(o => o.EmergencyAdvice).SingleAsync();
    }

    private async Task<int> AuditCountAsync(long orgId)
    {
        await using var scope = factory.ScopeFor(orgId);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.CountAsync(a => a.Action == EmergencyAdviceModel.AuditAction);
    }
}
