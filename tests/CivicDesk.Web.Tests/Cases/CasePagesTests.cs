using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Cases;

public sealed class CasePagesTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    [Fact]
    public async Task List_filters_by_service_status_and_text_and_links_to_each_case()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var pothole = await CaseTestData.CaseAsync(factory, org, "Pothole on Lansdown Road");
        var tipping = await CaseTestData.CaseAsync(factory, org, "Sofa dumped in Hatherley Lane", CaseTestData.Flytipping);
        var fixedOne = await CaseTestData.CaseAsync(factory, org, "Pothole on Bath Road");
        await CaseTestData.CommandAsync(factory, org, c => c.ChangeStatusAsync(fixedOne.Id, CaseStatus.Fixed, null, false, CancellationToken.None));
        var comms = await StaffClient.SignInAsync(factory, org, "Comms");

        (await RefsAsync(comms, "/cases")).ShouldBe([tipping.Reference, pothole.Reference], "open cases only by default, newest first");
        (await RefsAsync(comms, "/cases?service=flytipping")).ShouldBe([tipping.Reference]);
        (await RefsAsync(comms, "/cases?status=Fixed")).ShouldBe([fixedOne.Reference]);
        (await RefsAsync(comms, "/cases?allStatuses=true&q=POTHOLE")).ShouldBe([fixedOne.Reference, pothole.Reference], ignoreOrder: true);
        (await RefsAsync(comms, "/cases?sort=Oldest")).ShouldBe([pothole.Reference, tipping.Reference]);
        (await RefsAsync(comms, $"/cases?team={org.Teams["Waste"]}")).ShouldBe([tipping.Reference]);
    }

    [Fact]
    public async Task Overdue_filter_shows_open_cases_past_their_due_time()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var late = await CaseTestData.CaseAsync(factory, org, "Late one", CaseTestData.General);
        var onTime = await CaseTestData.CaseAsync(factory, org, "On time", CaseTestData.General);
        await CaseTestData.CommandAsync(factory, org, c => c.SetDueAsync(late.Id, DateTime.UtcNow.AddHours(-2), CancellationToken.None));
        await CaseTestData.CommandAsync(factory, org, c => c.SetDueAsync(onTime.Id, DateTime.UtcNow.AddDays(2), CancellationToken.None));
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        (await RefsAsync(agent, "/cases?overdue=true")).ShouldBe([late.Reference]);
        var page = await InboxTestData.GetPageAsync(agent, "/cases");
        page.QuerySelectorAll("[data-case-row]").Single(r => r.TextContent.Contains(late.Reference)).TextContent.ShouldContain("Overdue");
    }

    [Fact]
    public async Task Agents_see_only_their_teams_cases()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var mine = await CaseTestData.CaseAsync(factory, org, "For customer services", CaseTestData.General);
        var highways = await CaseTestData.CaseAsync(factory, org, "For highways");
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        (await RefsAsync(agent, "/cases")).ShouldBe([mine.Reference]);
        (await agent.GetAsync($"/cases/{highways.Reference}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await agent.GetAsync($"/cases/{mine.Reference}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_organisations_case_is_not_found()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var theirs = await CaseTestData.CaseAsync(factory, org, "Theirs", CaseTestData.General);
        var other = await TestOrganisation.CreateAsync(factory);
        var outsider = await StaffClient.SignInAsync(factory, other, "Admin");
        (await outsider.GetAsync($"/cases/{theirs.Reference}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await RefsAsync(outsider, "/cases?allStatuses=true")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Create_case_from_a_social_message_in_the_conversation_view()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var mastodon = await InboxTestData.ChannelAsync(factory, org, ChannelKind.Mastodon);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "Broken bench in Pittville Park", channelId: mastodon, kind: ChannelKind.Mastodon);
        var messageId = await CaseTestData.WithDbAsync(factory, org.Id, db => db.Messages.Where(m => m.ConversationId == conversation.Id).Select(m => m.Id).SingleAsync());
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var view = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        view.QuerySelector("#case-from-messages").ShouldNotBeNull();
        view.QuerySelector($"#case-message-{messageId}")!.HasAttribute("checked").ShouldBeTrue();

        var response = await StaffClient.PostFormAsync(agent, $"/inbox/conversation/{conversation.Id}", "/cases/new?handler=FromMessages", new Dictionary<string, string>
        {
            ["MessageIds"] = messageId.ToString(), ["ServiceCode"] = CaseTestData.General, ["ConversationId"] = conversation.Id.ToString(),
        });

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = response.Headers.Location!.ToString();
        location.ShouldStartWith("/cases/CS-");
        var page = await InboxTestData.GetPageAsync(agent, location);
        page.QuerySelector("h1")!.TextContent.ShouldBe("Broken bench in Pittville Park");
        page.QuerySelector("#reporter-list")!.TextContent.ShouldContain(conversation.Reference);
        page.QuerySelector($"#message-{messageId}").ShouldNotBeNull();
        var again = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        again.QuerySelector("#conversation-cases")!.TextContent.ShouldContain(location["/cases/".Length..]);
    }

    [Fact]
    public async Task Add_to_case_links_another_conversation_as_a_reporter()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var c = await CaseTestData.CaseAsync(factory, org, "Graffiti on the underpass", CaseTestData.General);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "More graffiti on the underpass by the station");
        var messageId = await CaseTestData.WithDbAsync(factory, org.Id, db => db.Messages.Where(m => m.ConversationId == conversation.Id).Select(m => m.Id).SingleAsync());
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var response = await StaffClient.PostFormAsync(agent, $"/inbox/conversation/{conversation.Id}", "/cases/new?handler=AddMessages", new Dictionary<string, string>
        {
            ["MessageIds"] = messageId.ToString(), ["CaseReference"] = c.Reference.ToLowerInvariant(), ["ConversationId"] = conversation.Id.ToString(),
        });

        response.Headers.Location!.ToString().ShouldBe($"/cases/{c.Reference}");
        (await CaseTestData.WithDbAsync(factory, org.Id, db => db.CaseReporters.Where(r => r.CaseId == c.Id).Select(r => r.ConversationId).ToListAsync()))
            .ShouldBe([conversation.Id]);
    }

    [Fact]
    public async Task Staff_new_case_form_validates_and_creates()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var invalid = await StaffClient.PostFormAsync(agent, "/cases/new", "/cases/new", new Dictionary<string, string> { ["ServiceCode"] = "", ["Title"] = "x", ["Description"] = "" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await InboxTestData.ParseAsync(await invalid.Content.ReadAsStringAsync());
        html.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("Enter a description of the problem");

        var created = await StaffClient.PostFormAsync(agent, "/cases/new", "/cases/new", new Dictionary<string, string>
        {
            ["ServiceCode"] = CaseTestData.General, ["Title"] = "Blocked gully", ["Description"] = "Reported by phone", ["Latitude"] = "51.9", ["Longitude"] = "-2.07",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var saved = await CaseTestData.WithDbAsync(factory, org.Id, db => db.Cases.SingleAsync());
        (saved.Source, saved.Latitude, saved.Longitude).ShouldBe((CaseSource.Staff, 51.9, -2.07));
    }

    [Fact]
    public async Task Public_status_change_from_the_case_page_queues_replies_and_shows_on_the_timeline()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "Street light out on Hewlett Road");
        var ids = await CaseTestData.WithDbAsync(factory, org.Id, db => db.Messages.Where(m => m.ConversationId == conversation.Id).Select(m => m.Id).ToListAsync());
        var c = (await CaseTestData.CommandAsync(factory, org, x => x.CreateFromMessagesAsync(ids, CaseTestData.General, null, null, CancellationToken.None))).Case!;
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var invalid = await StaffClient.PostFormAsync(agent, $"/cases/{c.Reference}", $"/cases/{c.Reference}?handler=Status",
            new Dictionary<string, string> { ["NewStatus"] = "Reopened", ["Visibility"] = "public" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await invalid.Content.ReadAsStringAsync()).ShouldContain("cannot be moved to reopened");

        var response = await StaffClient.PostFormAsync(agent, $"/cases/{c.Reference}", $"/cases/{c.Reference}?handler=Status",
            new Dictionary<string, string> { ["NewStatus"] = "ActionScheduled", ["UpdateText"] = "An engineer visits on Tuesday.", ["Visibility"] = "public" });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var page = await InboxTestData.GetPageAsync(agent, $"/cases/{c.Reference}");
        page.QuerySelector("#case-status")!.TextContent.ShouldBe("Action scheduled");
        page.QuerySelector("#case-timeline")!.TextContent.ShouldContain("An engineer visits on Tuesday.");
        var replies = await CaseTestData.WithDbAsync(factory, org.Id, db => db.OutboundMessages.Where(o => o.ConversationId == conversation.Id).CountAsync());
        replies.ShouldBe(1);
    }

    [Fact]
    public async Task Merge_from_a_duplicate_suggestion_moves_reporters_to_the_surviving_case()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var first = await InboxTestData.ConversationAsync(factory, org, "Fly-tipped mattress and sofa in Hales Road alley");
        var second = await InboxTestData.ConversationAsync(factory, org, "Mattress and sofa fly-tipped in the Hales Road alley again");
        var firstIds = await MessageIdsAsync(org, first.Id);
        var secondIds = await MessageIdsAsync(org, second.Id);
        var survivor = (await CaseTestData.CommandAsync(factory, org, x => x.CreateFromMessagesAsync(firstIds, CaseTestData.General, null, null, CancellationToken.None))).Case!;
        var duplicate = (await CaseTestData.CommandAsync(factory, org, x => x.CreateFromMessagesAsync(secondIds, CaseTestData.General, null, null, CancellationToken.None))).Case!;
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var page = await InboxTestData.GetPageAsync(agent, $"/cases/{duplicate.Reference}");
        var suggestion = page.QuerySelector($"[data-duplicate-candidate='{survivor.Reference}']");
        suggestion.ShouldNotBeNull("the real duplicate scorer suggests the earlier case with the same words");
        suggestion.TextContent.ShouldContain("Merge into " + survivor.Reference);

        var response = await StaffClient.PostFormAsync(agent, $"/cases/{duplicate.Reference}", $"/cases/{duplicate.Reference}?handler=Merge",
            new Dictionary<string, string> { ["SurvivorReference"] = survivor.Reference });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var after = await InboxTestData.GetPageAsync(agent, $"/cases/{survivor.Reference}");
        after.QuerySelector("#reporter-list")!.TextContent.ShouldContain(first.Reference);
        after.QuerySelector("#reporter-list")!.TextContent.ShouldContain(second.Reference);
        (await CaseTestData.ReloadAsync(factory, org, duplicate.Id)).Status.ShouldBe(CaseStatus.Duplicate);
    }

    [Fact]
    public async Task Analyst_reads_a_case_but_cannot_change_it()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var c = await CaseTestData.CaseAsync(factory, org, "Read only", CaseTestData.General);
        var analyst = await StaffClient.SignInAsync(factory, org, "Analyst");

        var page = await InboxTestData.GetPageAsync(analyst, $"/cases/{c.Reference}");
        page.QuerySelector("#status-form").ShouldBeNull();
        var response = await StaffClient.PostFormAsync(analyst, $"/cases/{c.Reference}", $"/cases/{c.Reference}?handler=Status",
            new Dictionary<string, string> { ["NewStatus"] = "Closed", ["Visibility"] = "internal" });
        response.Headers.Location!.ToString().ShouldContain("/account/access-denied");
        (await CaseTestData.ReloadAsync(factory, org, c.Id)).Status.ShouldBe(CaseStatus.Open);
    }

    private static async Task<List<string>> RefsAsync(HttpClient client, string path)
    {
        var page = await InboxTestData.GetPageAsync(client, path);
        return page.QuerySelectorAll("[data-case-row] th a").Select(a => a.TextContent.Trim()).ToList();
    }

    private Task<List<long>> MessageIdsAsync(TestOrganisation org, long conversationId) =>
        CaseTestData.WithDbAsync(factory, org.Id, db => db.Messages.Where(m => m.ConversationId == conversationId).Select(m => m.Id).ToListAsync());
}
