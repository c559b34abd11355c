using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Inbox;

public sealed class InboxPageTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public InboxPageTests(CivicDeskFactory factory) => _factory = factory;

    [Fact]
    public async Task Default_inbox_hides_resolved_and_closed_and_counts_each_status()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var open = await InboxTestData.ConversationAsync(_factory, org);
        var waiting = await InboxTestData.ConversationAsync(_factory, org, arrange: c => c.Status = ConversationStatus.WaitingOnCitizen);
        var resolved = await InboxTestData.ConversationAsync(_factory, org, arrange: c => c.Status = ConversationStatus.Resolved);
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);

        var page = await InboxTestData.GetPageAsync(client, "/inbox");
        InboxTestData.References(page).ShouldBe([open.Reference, waiting.Reference], ignoreOrder: true);
        page.QuerySelector("#count-status-New")!.TextContent.ShouldBe("(1)");
        page.QuerySelector("#count-status-WaitingOnCitizen")!.TextContent.ShouldBe("(1)");
        page.QuerySelector("#count-status-Resolved")!.TextContent.ShouldBe("(1)");
        page.QuerySelector("#count-status-Closed")!.TextContent.ShouldBe("(0)");
        page.QuerySelector("#count-team-" + org.Teams["Customer Services"])!.TextContent.ShouldBe("(2)");
        page.QuerySelector("#filter-status-Resolved")!.HasAttribute("checked").ShouldBeFalse();
        page.QuerySelector("#filter-status-New")!.HasAttribute("checked").ShouldBeTrue();

        var resolvedOnly = await InboxTestData.GetPageAsync(client, "/inbox?status=Resolved");
        InboxTestData.References(resolvedOnly).ShouldBe([resolved.Reference]);
    }

    [Fact]
    public async Task Filters_narrow_the_rows_and_the_counts_follow_the_other_filters()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var pothole = await InboxTestData.ConversationAsync(_factory, org, arrange: c =>
        {
            c.Kind = "complaint";
            c.Category = "highways_road_surface";
            c.Sentiment = "negative";
            c.AssignedTeamId = org.Teams["Highways"];
        });
        var urgent = await InboxTestData.ConversationAsync(_factory, org, arrange: c =>
        {
            c.IsUrgent = true;
            c.Kind = "service_request";
            c.Sentiment = "negative";
            c.AssignedStaffId = org.Staff[Roles.Admin].Id;
        });
        var old = await InboxTestData.ConversationAsync(_factory, org, arrange: c =>
        {
            c.CreatedAt = DateTime.UtcNow.AddDays(-10);
            c.Sentiment = "positive";
            c.Kind = "compliment";
        });
        var viaApi = await InboxTestData.ConversationAsync(_factory, org, channelId: org.ApiChannelId, kind: ChannelKind.Api);
        var admin = await StaffClient.SignInAsync(_factory, org, Roles.Admin);

        async Task<IReadOnlyList<string>> Rows(string query) => InboxTestData.References(await InboxTestData.GetPageAsync(admin, "/inbox" + query));

        (await Rows("?team=" + org.Teams["Highways"])).ShouldBe([pothole.Reference]);
        (await Rows("?channel=Api")).ShouldBe([viaApi.Reference]);
        (await Rows("?kind=complaint")).ShouldBe([pothole.Reference]);
        (await Rows("?category=highways_road_surface")).ShouldBe([pothole.Reference]);
        (await Rows("?sentiment=negative")).ShouldBe([urgent.Reference, pothole.Reference]);
        (await Rows("?age=OverWeek")).ShouldBe([old.Reference]);
        (await Rows("?age=UnderHour")).ShouldBe([urgent.Reference, pothole.Reference, viaApi.Reference], ignoreOrder: true);
        (await Rows("?mine=true")).ShouldBe([urgent.Reference]);
        (await Rows("?urgent=true")).ShouldBe([urgent.Reference]);

        // Team counts respect the other filters (negative sentiment), not the team filter itself.
        var page = await InboxTestData.GetPageAsync(admin, "/inbox?sentiment=negative&team=" + org.Teams["Highways"]);
        page.QuerySelector("#count-team-" + org.Teams["Highways"])!.TextContent.ShouldBe("(1)");
        page.QuerySelector("#count-team-" + org.Teams["Customer Services"])!.TextContent.ShouldBe("(1)");
        page.QuerySelector("#count-status-New")!.TextContent.ShouldBe("(1)");
        page.QuerySelector("#filter-team-" + org.Teams["Highways"])!.HasAttribute("checked").ShouldBeTrue();
    }

    [Fact]
    public async Task Urgent_conversations_come_first_then_priority_then_oldest()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var now = DateTime.UtcNow;
        var oldest = await InboxTestData.ConversationAsync(_factory, org, arrange: c => c.CreatedAt = now.AddHours(-5));
        var urgent = await InboxTestData.ConversationAsync(_factory, org, arrange: c => { c.CreatedAt = now.AddHours(-1); c.IsUrgent = true; });
        var high = await InboxTestData.ConversationAsync(_factory, org, arrange: c => { c.CreatedAt = now.AddMinutes(-30); c.Priority = Priority.High; });
        var low = await InboxTestData.ConversationAsync(_factory, org, arrange: c => { c.CreatedAt = now.AddHours(-9); c.Priority = Priority.Low; });
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);

        InboxTestData.References(await InboxTestData.GetPageAsync(client, "/inbox"))
            .ShouldBe([urgent.Reference, high.Reference, oldest.Reference, low.Reference]);
        InboxTestData.References(await InboxTestData.GetPageAsync(client, "/inbox?sort=Newest"))
            .ShouldBe([high.Reference, urgent.Reference, oldest.Reference, low.Reference]);
        InboxTestData.References(await InboxTestData.GetPageAsync(client, "/inbox?sort=Oldest"))
            .ShouldBe([low.Reference, oldest.Reference, urgent.Reference, high.Reference]);
    }

    [Fact]
    public async Task Fifty_rows_a_page_with_links_to_the_next()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var pipeline = _factory.Services.GetRequiredService<CivicDesk.Web.Features.Ingestion.IngestPipeline>();
        var posts = Enumerable.Range(0, 53).Select(i => new CivicDesk.Web.Features.Ingestion.InboundPost($"bulk-{i}", $"Bin not collected {i}", $"citizen-{i}")).ToList();
        await pipeline.SubmitAsync(new CivicDesk.Web.Features.Ingestion.IngestBatch(org.Id, org.WebFormChannelId, ChannelKind.WebForm, posts), CancellationToken.None);
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);

        var first = await InboxTestData.GetPageAsync(client, "/inbox");
        InboxTestData.References(first).Count.ShouldBe(50);
        first.QuerySelector("#inbox-summary")!.TextContent.ShouldContain("Showing 1 to 50 of 53");
        var next = first.QuerySelector(".govuk-pagination__next a")!.GetAttribute("href")!;
        next.ShouldStartWith("/inbox?after=", customMessage: "keyset paging: the next page continues after this one's last row");
        var second = await InboxTestData.GetPageAsync(client, next);
        InboxTestData.References(second).Count.ShouldBe(3);
        second.QuerySelector("#inbox-summary")!.TextContent.ShouldContain("Showing 51 to 53 of 53");
        InboxTestData.References(first).Intersect(InboxTestData.References(second)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(Roles.Agent, false)]
    [InlineData(Roles.TeamLead, false)]
    [InlineData(Roles.Comms, true)]
    [InlineData(Roles.Analyst, true)]
    [InlineData(Roles.Admin, true)]
    public async Task Another_teams_conversation_is_listed_and_opens_only_for_roles_that_see_all(string role, bool visible)
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var highways = await InboxTestData.ConversationAsync(_factory, org, arrange: c => c.AssignedTeamId = org.Teams["Highways"]);
        var own = await InboxTestData.ConversationAsync(_factory, org);
        var client = await StaffClient.SignInAsync(_factory, org, role);

        var rows = InboxTestData.References(await InboxTestData.GetPageAsync(client, "/inbox"));
        rows.ShouldContain(own.Reference);
        rows.Contains(highways.Reference).ShouldBe(visible);
        (await client.GetAsync($"/inbox/conversation/{highways.Id}")).StatusCode.ShouldBe(visible ? HttpStatusCode.OK : HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_agent_sees_a_conversation_assigned_to_them_and_everything_once_their_team_sees_all()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var waste = await InboxTestData.ConversationAsync(_factory, org, arrange: c => c.AssignedTeamId = org.Teams["Waste"]);
        var mine = await InboxTestData.ConversationAsync(_factory, org, arrange: c =>
        {
            c.AssignedTeamId = org.Teams["Highways"];
            c.AssignedStaffId = org.Staff[Roles.Agent].Id;
        });
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var rows = InboxTestData.References(await InboxTestData.GetPageAsync(client, "/inbox"));
        rows.ShouldContain(mine.Reference);
        rows.ShouldNotContain(waste.Reference);

        await InboxTestData.WithDbAsync(_factory, org.Id, async db =>
        {
            var team = await db.Teams.FindAsync(org.Teams["Customer Services"]);
            team!.SeesAllConversations = true;
            return await db.SaveChangesAsync();
        });
        InboxTestData.References(await InboxTestData.GetPageAsync(client, "/inbox")).ShouldContain(waste.Reference);
    }

    [Fact]
    public async Task Htmx_refresh_returns_only_the_rows_and_out_of_band_counts()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org);
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/inbox?sort=Newest&urgent=false");
        request.Headers.Add("HX-Request", "true");
        var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldNotContain("<html");
        html.ShouldContain(conversation.Reference);
        var doc = await InboxTestData.ParseAsync(html);
        var poller = doc.QuerySelector("#inbox-poll")!;
        poller.GetAttribute("hx-trigger").ShouldBe("every 10s");
        poller.GetAttribute("hx-get").ShouldBe("/inbox?sort=Newest");
        doc.QuerySelector("#count-status-New")!.GetAttribute("hx-swap-oob").ShouldBe("true");
        doc.QuerySelector("#count-status-New")!.TextContent.ShouldBe("(1)");
        response.Headers.Vary.ShouldContain("HX-Request");
    }

    [Fact]
    public async Task Citizen_text_is_encoded_never_run()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        const string Evil = "<script>alert('x')</script><img src=x onerror=alert(1)> broken light";
        var conversation = await InboxTestData.ConversationAsync(_factory, org, Evil, handle: "<b>mallory</b>");
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);

        foreach (var path in new[] { "/inbox", $"/inbox/conversation/{conversation.Id}" })
        {
            var html = await client.GetStringAsync(path);
            html.ShouldNotContain("<script>alert");
            html.ShouldNotContain("<img src=x");
            html.ShouldNotContain("<b>mallory</b>");
            html.ShouldContain("&lt;script&gt;");
            var doc = await InboxTestData.ParseAsync(html);
            doc.QuerySelectorAll("script").ShouldAllBe(s => s.HasAttribute("src"));
        }
    }

    [Fact]
    public async Task Shortcut_help_dialog_and_script_are_on_the_page_without_inline_script()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var page = await InboxTestData.GetPageAsync(client, "/inbox");
        var dialog = page.QuerySelector("dialog#shortcut-help")!;
        dialog.GetAttribute("aria-labelledby").ShouldBe("shortcut-help-title");
        page.QuerySelectorAll("script[src^='/js/inbox.js']").Length.ShouldBe(1);
        page.QuerySelectorAll("script").ShouldAllBe(s => s.HasAttribute("src"));
        // Every form control has a label.
        foreach (var control in page.QuerySelectorAll("#inbox-filters input:not([type=hidden]), #inbox-filters select"))
        {
            page.QuerySelector($"label[for='{control.Id}']").ShouldNotBeNull($"control {control.Id} has no label");
        }

        var ids = page.QuerySelectorAll("[id]").Select(e => e.Id).ToList();
        ids.ShouldBeUnique();
    }
}
