using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Routing;

/// <summary>The /admin/routing pages through HTTP, signed in through the real sign-in form.</summary>
public sealed class RoutingPageTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private const string Page = "/admin/routing";

    private static async Task<IHtmlDocument> HtmlAsync(HttpResponseMessage response) =>
        new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());

    private async Task<RoutingRule> AddRuleAsync(TestOrganisation org, string team, Action<RoutingRule> configure)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var position = (await db.RoutingRules.MaxAsync(r => (int?)r.Position) ?? 0) + 1;
        var rule = new RoutingRule { OrganisationId = org.Id, Position = position, Name = $"Rule {position}", TeamId = org.Teams[team], UpdatedAt = DateTime.UtcNow };
        configure(rule);
        db.RoutingRules.Add(rule);
        await db.SaveChangesAsync();
        return rule;
    }

    private async Task<(List<RoutingRule> Rules, List<AuditEvent> Audit)> StateAsync(TestOrganisation org)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return (await db.RoutingRules.AsNoTracking().OrderBy(r => r.Position).ToListAsync(),
                await db.AuditEvents.AsNoTracking().Where(a => a.TargetType == nameof(RoutingRule)).OrderBy(a => a.Sequence).ToListAsync());
    }

    private static Dictionary<string, string> RuleForm(string name, long teamId, string? keywords = null, string? pattern = null) => new()
    {
        ["Input.Name"] = name,
        ["Input.TeamId"] = teamId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Input.Keywords"] = keywords ?? "",
        ["Input.Pattern"] = pattern ?? "",
        ["Input.IsEnabled"] = "true",
    };

    [Fact]
    public async Task Anonymous_visitor_is_sent_to_sign_in()
    {
        var response = await StaffClient.Anonymous(factory).GetAsync(Page);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/account/sign-in");
    }

    [Theory]
    [InlineData("Agent")]
    [InlineData("TeamLead")]
    public async Task Staff_who_are_not_admins_are_refused_with_403(string role)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, role);

        var response = await client.GetAsync(Page);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/account/access-denied");
        (await client.GetAsync(response.Headers.Location)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync("/admin/routing/rules")).Headers.Location!.AbsolutePath.ShouldBe("/account/access-denied");
    }

    [Fact]
    public async Task Agent_cannot_change_rules_by_posting()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var rule = await AddRuleAsync(org, "Highways", r => r.Keywords = "pothole");
        var client = await StaffClient.SignInAsync(factory, org, "Agent");
        var denied = await client.GetAsync("/account/access-denied");
        var token = StaffClient.ExtractToken(await denied.Content.ReadAsStringAsync()).ShouldNotBeNull();

        var response = await client.PostAsync($"{Page}?handler=Toggle&id={rule.Id}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/account/access-denied");
        (await StateAsync(org)).Rules.Single().IsEnabled.ShouldBeTrue();
    }

    [Fact]
    public async Task Admin_sees_the_rules_in_order_with_their_conditions_and_team()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddRuleAsync(org, "Highways", r => { r.Name = "Potholes"; r.Keywords = "pothole, tarmac"; });
        await AddRuleAsync(org, "Waste", r => { r.Name = "Angry tweets"; r.ChannelKind = ChannelKind.Twitter; r.Sentiment = "negative"; r.IsEnabled = false; });
        var client = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await client.GetAsync(Page);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var rows = (await HtmlAsync(response)).QuerySelectorAll("#rules tbody tr")
            .Select(tr => tr.QuerySelectorAll("td").Take(5).Select(td => td.TextContent.Trim()).ToArray()).ToList();
        rows.Count.ShouldBe(2);
        rows[0].ShouldBe(["1", "Potholes", "keywords \"pothole\" or \"tarmac\"", "Highways", "Enabled"]);
        rows[1].ShouldBe(["2", "Angry tweets", "sentiment = negative and channel = Twitter", "Waste", "Disabled"]);
    }

    [Fact]
    public async Task Admin_adds_a_rule_and_the_change_is_audited_and_used_at_once()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var routing = factory.Services.GetRequiredService<RoutingService>();
        (await routing.RouteAsync(org.Id, new RoutingInput("pothole", ChannelKind.Api, null, null, null, false, null), default)).RuleId.ShouldBeNull();
        var client = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(client, "/admin/routing/rules", "/admin/routing/rules",
            RuleForm("Potholes to Highways", org.Teams["Highways"], keywords: " pothole ,tarmac"));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe(Page);
        var (rules, audit) = await StateAsync(org);
        var rule = rules.ShouldHaveSingleItem();
        (rule.Name, rule.Position, rule.Keywords, rule.TeamId, rule.IsEnabled).ShouldBe(("Potholes to Highways", 1, "pothole, tarmac", org.Teams["Highways"], true));
        var created = audit.ShouldHaveSingleItem();
        created.Action.ShouldBe("routing-rule.created");
        created.TargetId.ShouldBe(rule.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        created.ActorId.ShouldBe(org.Staff["Admin"].Id);
        created.After!.ShouldContain("pothole, tarmac");
        // The admin page invalidated the cached rule book: the next message sees the new rule.
        (await routing.RouteAsync(org.Id, new RoutingInput("pothole", ChannelKind.Api, null, null, null, false, null), default)).RuleId.ShouldBe(rule.Id);
        (await HtmlAsync(await client.GetAsync(Page))).QuerySelector(".govuk-notification-banner")!.TextContent.ShouldContain("Potholes to Highways");
    }

    [Fact]
    public async Task Admin_edits_a_rule_and_the_audit_event_has_before_and_after()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var rule = await AddRuleAsync(org, "Highways", r => { r.Name = "Potholes"; r.Keywords = "pothole"; });
        var client = await StaffClient.SignInAsync(factory, org, "Admin");
        (await HtmlAsync(await client.GetAsync($"/admin/routing/rules/{rule.Id}"))).QuerySelector("#Input_Keywords")!.GetAttribute("value").ShouldBe("pothole");

        var response = await StaffClient.PostFormAsync(client, $"/admin/routing/rules/{rule.Id}", $"/admin/routing/rules/{rule.Id}",
            RuleForm("Bins", org.Teams["Waste"], keywords: "bin"));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var (rules, audit) = await StateAsync(org);
        (rules.Single().Name, rules.Single().TeamId, rules.Single().Keywords).ShouldBe(("Bins", org.Teams["Waste"], "bin"));
        var updated = audit.ShouldHaveSingleItem();
        updated.Action.ShouldBe("routing-rule.updated");
        updated.Before!.ShouldContain("\"keywords\":\"pothole\"");
        updated.After!.ShouldContain("\"keywords\":\"bin\"");
    }

    [Fact]
    public async Task Admin_moves_a_rule_up_and_the_move_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var first = await AddRuleAsync(org, "Highways", r => r.Keywords = "pothole");
        var second = await AddRuleAsync(org, "Waste", r => r.Keywords = "pothole");
        var client = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(client, Page, $"{Page}?handler=Move&id={second.Id}&direction=up", new Dictionary<string, string>());

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var (rules, audit) = await StateAsync(org);
        rules.Select(r => r.Id).ShouldBe([second.Id, first.Id]);
        rules.Select(r => r.Position).ShouldBe([1, 2]);
        var moved = audit.ShouldHaveSingleItem();
        (moved.Action, moved.TargetId).ShouldBe(("routing-rule.moved", second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        moved.Before.ShouldBe("{\"position\":2}");
        (await factory.Services.GetRequiredService<RoutingService>()
            .RouteAsync(org.Id, new RoutingInput("pothole", ChannelKind.Api, null, null, null, false, null), default)).TeamName.ShouldBe("Waste");
    }

    [Fact]
    public async Task Admin_disables_a_rule()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var rule = await AddRuleAsync(org, "Highways", r => r.Keywords = "pothole");
        var client = await StaffClient.SignInAsync(factory, org, "Admin");

        await StaffClient.PostFormAsync(client, Page, $"{Page}?handler=Toggle&id={rule.Id}", new Dictionary<string, string>());

        var (rules, audit) = await StateAsync(org);
        rules.Single().IsEnabled.ShouldBeFalse();
        audit.ShouldHaveSingleItem().Action.ShouldBe("routing-rule.updated");
    }

    [Fact]
    public async Task Admin_deletes_a_rule_after_confirming_and_later_rules_move_up()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var doomed = await AddRuleAsync(org, "Highways", r => { r.Name = "Old potholes"; r.Keywords = "pothole"; });
        var kept = await AddRuleAsync(org, "Waste", r => r.Keywords = "bin");
        var client = await StaffClient.SignInAsync(factory, org, "Admin");

        var confirm = await HtmlAsync(await client.GetAsync($"/admin/routing/rules/{doomed.Id}/delete"));
        confirm.QuerySelector("h1")!.TextContent.ShouldContain("Are you sure you want to delete rule 1, “Old potholes”?");
        (await StateAsync(org)).Rules.Count.ShouldBe(2);

        var response = await StaffClient.PostFormAsync(client, $"/admin/routing/rules/{doomed.Id}/delete", $"/admin/routing/rules/{doomed.Id}/delete",
            new Dictionary<string, string>());

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var (rules, audit) = await StateAsync(org);
        var left = rules.ShouldHaveSingleItem();
        (left.Id, left.Position).ShouldBe((kept.Id, 1));
        var deleted = audit.ShouldHaveSingleItem();
        (deleted.Action, deleted.TargetId).ShouldBe(("routing-rule.deleted", doomed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        deleted.Before!.ShouldContain("Old potholes");
    }

    [Theory]
    [InlineData("unknown team", "Choose a team from the list")]
    [InlineData("invalid regex", "Enter a valid regular expression")]
    [InlineData("no condition", "Add at least one condition")]
    public async Task Invalid_rule_is_refused_with_an_error_summary(string problem, string message)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, "Admin");
        var form = problem switch
        {
            "unknown team" => RuleForm("Potholes", 999_999, keywords: "pothole"),
            "invalid regex" => RuleForm("Potholes", org.Teams["Highways"], pattern: "pot(hole"),
            _ => RuleForm("Potholes", org.Teams["Highways"]),
        };

        var response = await StaffClient.PostFormAsync(client, "/admin/routing/rules", "/admin/routing/rules", form);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var summary = (await HtmlAsync(response)).QuerySelector(".govuk-error-summary");
        summary.ShouldNotBeNull();
        summary.TextContent.ShouldContain(message);
        var (rules, audit) = await StateAsync(org);
        rules.ShouldBeEmpty();
        audit.ShouldBeEmpty();
    }

    [Fact]
    public async Task Admin_cannot_open_another_organisations_rule()
    {
        var mine = await TestOrganisation.CreateAsync(factory);
        var other = await TestOrganisation.CreateAsync(factory);
        var theirs = await AddRuleAsync(other, "Highways", r => r.Keywords = "pothole");
        var client = await StaffClient.SignInAsync(factory, mine, "Admin");

        (await client.GetAsync($"/admin/routing/rules/{theirs.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var response = await StaffClient.PostFormAsync(client, Page, $"{Page}?handler=Toggle&id={theirs.Id}", new Dictionary<string, string>());
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await StateAsync(other)).Rules.Single().IsEnabled.ShouldBeTrue();
    }

    [Fact]
    public async Task Try_box_shows_triage_the_chosen_team_the_reason_and_each_rule()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddRuleAsync(org, "Waste", r => { r.Name = "Twitter only"; r.ChannelKind = ChannelKind.Twitter; r.Keywords = "bin"; });
        await AddRuleAsync(org, "Highways", r => { r.Name = "Potholes"; r.Keywords = "pothole"; });
        var client = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(client, Page, $"{Page}?handler=Try", new Dictionary<string, string>
        {
            ["Try.Text"] = "Massive pothole outside 12 Dog Lane, it is dangerous",
            ["Try.Channel"] = "Email",
        });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await HtmlAsync(response);
        html.QuerySelector("#try-team")!.TextContent.ShouldBe("Highways");
        html.QuerySelector("#try-reason")!.TextContent.ShouldBe("routed to Highways by rule 2: keyword \"pothole\"");
        html.QuerySelector("[data-label=category]")!.TextContent.ShouldBe("highways_road_surface");
        html.QuerySelector("#try-triage")!.TextContent.ShouldContain("danger to people");
        html.QuerySelector("#try-triage")!.TextContent.ShouldContain("Dog Lane");
        var ruleRows = html.QuerySelectorAll("#try-rules tbody tr").Select(tr => tr.TextContent).ToList();
        ruleRows.Count.ShouldBe(2);
        ruleRows[0].ShouldContain("channel is Email, not Twitter");
        ruleRows[0].ShouldContain("none of the keywords found: \"bin\"");
        ruleRows[1].ShouldContain("Chosen");
        // Nothing was saved.
        (await StateAsync(org)).Audit.ShouldBeEmpty();
    }

    [Fact]
    public async Task Try_box_over_htmx_returns_only_the_result_fragment()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddRuleAsync(org, "Highways", r => r.Category = "highways_road_surface");
        var client = await StaffClient.SignInAsync(factory, org, "Admin");
        var token = await StaffClient.AntiforgeryTokenAsync(client, Page);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Page}?handler=Try")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Try.Text"] = "Deep pothole", ["Try.Channel"] = "Twitter" }),
        };
        request.Headers.Add("HX-Request", "true");
        request.Headers.Add("RequestVerificationToken", token);

        var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain("<html");
        var html = new HtmlParser().ParseDocument(body);
        html.QuerySelector("#try-reason")!.TextContent.ShouldBe("routed to Highways by rule 1: category = highways_road_surface");
    }

    [Fact]
    public async Task Try_box_without_text_says_what_to_do()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(client, Page, $"{Page}?handler=Try", new Dictionary<string, string> { ["Try.Text"] = "" });

        var html = await HtmlAsync(response);
        html.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("Enter the text of a message to try");
        html.QuerySelector("#try-team").ShouldBeNull();
    }

    [Fact]
    public async Task Try_box_encodes_the_typed_text()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, "Admin");
        const string attack = "<script>alert('x')</script> pothole on <b>Evil</b> Road";

        var response = await StaffClient.PostFormAsync(client, Page, $"{Page}?handler=Try", new Dictionary<string, string> { ["Try.Text"] = attack });

        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain("<script>alert");
        body.ShouldNotContain("<b>Evil</b>");
        new HtmlParser().ParseDocument(body).QuerySelector("#Try_Text")!.TextContent.ShouldBe(attack);
    }
}
