using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Templates;

/// <summary>/admin/templates and the reply box's template picker and preview, through HTTP.</summary>
public sealed class TemplatePagesTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private const string Page = "/admin/templates";

    private static Dictionary<string, string> Form(string name, string body, long? teamId) => new()
    {
        ["Input.Name"] = name,
        ["Input.Body"] = body,
        ["Input.TeamId"] = teamId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    [Fact]
    public async Task Admin_adds_an_organisation_template_and_it_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(admin, Page, Page + "?handler=Save", Form("Thanks", "Thank you. Your reference is {{reference}}.", null));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var (templates, audit) = await InboxTestData.WithDbAsync(factory, org.Id, async db =>
            (await db.ReplyTemplates.AsNoTracking().ToListAsync(), await db.AuditEvents.AsNoTracking().Where(a => a.TargetType == nameof(ReplyTemplate)).ToListAsync()));
        templates.ShouldHaveSingleItem().TeamId.ShouldBeNull();
        audit.ShouldHaveSingleItem().Action.ShouldBe("reply-template.created");
    }

    [Fact]
    public async Task Unknown_variable_is_refused_at_save_time()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(admin, Page, Page + "?handler=Save", Form("Bad", "We will fix it by {{due_date}}.", null));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync());
        html.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("{{due_date}} is not a variable you can use");
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReplyTemplates.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task Team_lead_may_not_add_an_organisation_wide_or_another_teams_template()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var lead = await StaffClient.SignInAsync(factory, org, "TeamLead");

        var wide = await StaffClient.PostFormAsync(lead, Page, Page + "?handler=Save", Form("Wide", "Hello.", null));
        var other = await StaffClient.PostFormAsync(lead, Page, Page + "?handler=Save", Form("Other", "Hello.", org.Teams["Highways"]));
        var own = await StaffClient.PostFormAsync(lead, Page, Page + "?handler=Save", Form("Own", "Hello.", org.Teams["Customer Services"]));

        wide.StatusCode.ShouldBe(HttpStatusCode.OK);
        other.StatusCode.ShouldBe(HttpStatusCode.OK);
        own.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReplyTemplates.Select(t => t.Name).ToListAsync())).ShouldBe(["Own"]);
    }

    [Fact]
    public async Task Preview_fills_the_variables_for_the_conversation()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "The street light outside 4 Elm Road is out", c => c.CitizenName = "Priya");
        var templateId = await InboxTestData.WithDbAsync(factory, org.Id, async db =>
        {
            var t = new ReplyTemplate { OrganisationId = org.Id, Name = "Ack", Body = "Hello {{citizen_name}}. Your reference is {{reference}}. We expect to finish {{expected_by}}. Check {{status_url}}", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.ReplyTemplates.Add(t);
            await db.SaveChangesAsync();
            return t.Id;
        });
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var picker = await agent.GetAsync($"/inbox/conversation/{conversation.Id}/templates");
        (await picker.Content.ReadAsStringAsync()).ShouldContain($"<option value=\"{templateId}\">Ack</option>");

        var preview = await agent.GetAsync($"/inbox/conversation/{conversation.Id}/templates?templateId={templateId}");
        preview.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await InboxTestData.ParseAsync(await preview.Content.ReadAsStringAsync());
        var text = html.QuerySelector("#template-preview-text")!.TextContent;
        text.ShouldStartWith($"Hello Priya. Your reference is {conversation.Reference}. We expect to finish as soon as we can. Check http");
        text.ShouldEndWith($"/status/{conversation.Reference}");
        html.QuerySelector("#template-too-long").ShouldBeNull();
    }

    [Fact]
    public async Task Preview_warns_when_the_text_is_longer_than_the_channel_allows()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var channel = await InboxTestData.ChannelAsync(factory, org, ChannelKind.Twitter);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "Bins not collected on Mill Lane", channelId: channel, kind: ChannelKind.Twitter);
        var templateId = await InboxTestData.WithDbAsync(factory, org.Id, async db =>
        {
            var t = new ReplyTemplate { OrganisationId = org.Id, Name = "Long", Body = string.Concat(Enumerable.Repeat("We are sorry. ", 30)), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.ReplyTemplates.Add(t);
            await db.SaveChangesAsync();
            return t.Id;
        });
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var html = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}/templates?templateId={templateId}");

        html.QuerySelector("#template-too-long")!.TextContent.ShouldContain("the channel allows 280");
    }
}
