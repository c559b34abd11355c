using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Inbox;

public sealed class ConversationPageTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public ConversationPageTests(CivicDeskFactory factory) => _factory = factory;

    private Task<T> Db<T>(TestOrganisation org, Func<CivicDesk.Web.Data.CivicDeskDb, Task<T>> work) => InboxTestData.WithDbAsync(_factory, org.Id, work);

    [Fact]
    public async Task Opening_a_new_conversation_as_a_case_worker_moves_it_to_open_and_audits_it()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org, "Streetlight out on Mill Road");
        var analyst = await StaffClient.SignInAsync(_factory, org, Roles.Analyst);
        var analystView = await InboxTestData.GetPageAsync(analyst, $"/inbox/conversation/{conversation.Id}");
        analystView.QuerySelector("#current-status")!.TextContent.ShouldBe("New");
        analystView.QuerySelector("#reply-text").ShouldBeNull();
        analystView.QuerySelector("#note-text").ShouldBeNull();
        analystView.QuerySelector("#assign-team").ShouldBeNull();

        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var page = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        page.QuerySelector("#current-status")!.TextContent.ShouldBe("Open");
        page.QuerySelector("h1")!.TextContent.ShouldBe("Streetlight out on Mill Road");
        page.QuerySelector("[data-audit-action='conversation.opened']").ShouldNotBeNull();
        (await Db(org, db => db.Conversations.SingleAsync(c => c.Id == conversation.Id))).Status.ShouldBe(ConversationStatus.Open);
        (await Db(org, db => db.AuditEvents.CountAsync(a => a.Action == "conversation.opened" && a.TargetId == conversation.Id.ToString()
            && a.ActorId == org.Staff[Roles.Agent].Id))).ShouldBe(1);
    }

    [Fact]
    public async Task Thread_shows_triage_labels_confidence_evidence_and_the_routing_explanation()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org, "Pothole outside number 4");
        // Only labels and scores are stored; the explanation is recomputed by the organisation's engine when the page opens.
        var engine = _factory.Services.GetRequiredService<CivicDesk.Triage.ITriageEngine>();
        var now = engine.Triage(new CivicDesk.Triage.TriageInput("Pothole outside number 4"));
        await Db(org, async db =>
        {
            var message = await db.Messages.SingleAsync(m => m.ConversationId == conversation.Id);
            message.TriageScores = $"kind={now.Kind.Value}:0.82:model;category=highways_road_surface:0.91:model;sentiment=negative:0.6:model";
            message.IsUrgent = true;
            message.UrgencyReason = "danger to cyclists";
            message.Place = "Dog Lane";
            message.RoutingReason = "routed to Highways by rule 3: category = highways_road_surface";
            return await db.SaveChangesAsync();
        });
        var client = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var page = await InboxTestData.GetPageAsync(client, $"/inbox/conversation/{conversation.Id}");
        var triageText = page.QuerySelector(".civicdesk-triage")!.TextContent;
        triageText.ShouldContain($"{CivicDesk.Web.Platform.InboxText.Label(now.Kind.Value)}, 82% confident");
        triageText.ShouldContain("Highways road surface, 91% confident");
        // Evidence is a table per label (feature, kind, weight), computed now for the stored label.
        now.Kind.Evidence.ShouldNotBeEmpty();
        var kindFeatures = page.QuerySelector("[data-triage-task='kind'] table")!;
        kindFeatures.QuerySelectorAll("tbody tr").Length.ShouldBe(now.Kind.Evidence.Count);
        kindFeatures.QuerySelectorAll("tbody tr")[0].TextContent.ShouldContain($"“{now.Kind.Evidence[0].Feature}”");
        kindFeatures.QuerySelectorAll("tbody tr")[0].QuerySelector("td.govuk-table__cell--numeric")!.TextContent
            .ShouldBe(now.Kind.Evidence[0].Weight.ToString("+0.###;-0.###;0", System.Globalization.CultureInfo.InvariantCulture));
        triageText.ShouldContain("Dog Lane");
        triageText.ShouldContain("routed to Highways by rule 3: category = highways_road_surface");
        page.QuerySelector(".govuk-warning-text")!.TextContent.ShouldContain("danger to cyclists");
        page.QuerySelector("#routing + p")!.TextContent.ShouldContain("no rule matched; default team Customer Services");
    }

    [Fact]
    public async Task A_note_with_mentions_records_who_was_mentioned_and_they_see_it_in_their_inbox()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org);
        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var response = await InboxTestData.PostAsync(agent, conversation.Id, "Note", new Dictionary<string, string>
        {
            ["NoteText"] = $"Can @teamlead check this? Also @Comms of {org.Slug} for the press line.",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe($"/inbox/conversation/{conversation.Id}#notes");

        var afterRedirect = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        afterRedirect.QuerySelector(".govuk-notification-banner")!.TextContent.ShouldContain("Note added");
        afterRedirect.QuerySelector("#notes-panel .civicdesk-note")!.TextContent.ShouldContain("Can @teamlead check this?");

        var mentioned = await Db(org, db => db.NoteMentions.Select(m => m.StaffMemberId).ToListAsync());
        mentioned.ShouldBe([org.Staff[Roles.TeamLead].Id, org.Staff[Roles.Comms].Id], ignoreOrder: true);

        var lead = await StaffClient.SignInAsync(_factory, org, Roles.TeamLead);
        var inbox = await InboxTestData.GetPageAsync(lead, "/inbox");
        inbox.QuerySelector("#inbox-mentions")!.TextContent.ShouldContain("1 unread mention of you");
        InboxTestData.References(await InboxTestData.GetPageAsync(lead, "/inbox?mentions=true")).ShouldBe([conversation.Reference]);

        // Reading the conversation reads the mention.
        var page = await InboxTestData.GetPageAsync(lead, $"/inbox/conversation/{conversation.Id}");
        page.QuerySelector(".civicdesk-note")!.TextContent.ShouldContain("Mentioned:");
        (await InboxTestData.GetPageAsync(lead, "/inbox")).QuerySelector("#inbox-mentions")!.TextContent.Trim().ShouldBeEmpty();
        (await Db(org, db => db.AuditEvents.SingleAsync(a => a.Action == "note.added"))).After.ShouldBe(
            $"mentioned TeamLead of {org.Slug}, Comms of {org.Slug}");
    }

    [Fact]
    public async Task Htmx_note_returns_the_notes_panel_and_the_refreshed_audit_history_out_of_band()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org);
        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var token = await StaffClient.AntiforgeryTokenAsync(agent, $"/inbox/conversation/{conversation.Id}");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/inbox/conversation/{conversation.Id}?handler=Note")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["NoteText"] = "Checked the CCTV <b>log</b>", ["__RequestVerificationToken"] = token }),
        };
        request.Headers.Add("HX-Request", "true");
        var response = await agent.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldNotContain("<html");
        var doc = await InboxTestData.ParseAsync(html);
        doc.QuerySelector("#notes-panel .civicdesk-note")!.TextContent.ShouldContain("Checked the CCTV <b>log</b>");
        doc.QuerySelector("#audit-timeline")!.GetAttribute("hx-swap-oob").ShouldBe("true");
        doc.QuerySelector("[data-audit-action='note.added']").ShouldNotBeNull();
    }

    [Fact]
    public async Task Empty_note_is_refused_with_an_error_message()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org);
        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var response = await InboxTestData.PostAsync(agent, conversation.Id, "Note", new Dictionary<string, string> { ["NoteText"] = "   " });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var doc = await InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync());
        doc.QuerySelector(".govuk-error-summary a[href='#note-text']")!.TextContent.ShouldBe("Enter a note");
        (await Db(org, db => db.InternalNotes.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task A_team_lead_assigns_to_another_team_and_person_but_an_agent_may_not()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org);
        var highways = org.Teams["Highways"].ToString();
        await Db(org, db =>
        {
            db.TeamMemberships.Add(new TeamMembership { OrganisationId = org.Id, StaffMemberId = org.Staff[Roles.Comms].Id, TeamId = org.Teams["Highways"] });
            return db.SaveChangesAsync();
        });

        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var refused = await InboxTestData.PostAsync(agent, conversation.Id, "Assign", new Dictionary<string, string> { ["TeamId"] = highways });
        refused.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        refused.Headers.Location!.ToString().ShouldContain("/account/access-denied");
        var agentPage = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        agentPage.QuerySelectorAll("#assign-team option").Select(o => o.TextContent).ShouldBe(["Customer Services"]);

        // Agents may assign to themselves within their team.
        var self = await InboxTestData.PostAsync(agent, conversation.Id, "Assign", new Dictionary<string, string>
        {
            ["TeamId"] = org.Teams["Customer Services"].ToString(), ["StaffId"] = org.Staff[Roles.Agent].Id,
        });
        self.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await Db(org, db => db.Conversations.SingleAsync(c => c.Id == conversation.Id))).AssignedStaffId.ShouldBe(org.Staff[Roles.Agent].Id);

        var lead = await StaffClient.SignInAsync(_factory, org, Roles.TeamLead);
        // A person who is not in the chosen team is refused.
        var wrongPerson = await InboxTestData.PostAsync(lead, conversation.Id, "Assign", new Dictionary<string, string>
        {
            ["TeamId"] = highways, ["StaffId"] = org.Staff[Roles.Agent].Id,
        });
        wrongPerson.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await wrongPerson.Content.ReadAsStringAsync()).ShouldContain("Select a person in Highways");

        // The people control lists the chosen team's members (the htmx request behind the team select).
        var people = await InboxTestData.ParseAsync(await lead.GetStringAsync($"/inbox/conversation/{conversation.Id}?handler=People&TeamId={highways}"));
        people.QuerySelectorAll("#assign-person option").Select(o => o.TextContent).ShouldBe(["Nobody in particular", $"Comms of {org.Slug}"]);

        var ok = await InboxTestData.PostAsync(lead, conversation.Id, "Assign", new Dictionary<string, string>
        {
            ["TeamId"] = highways, ["StaffId"] = org.Staff[Roles.Comms].Id,
        });
        ok.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var after = await Db(org, db => db.Conversations.SingleAsync(c => c.Id == conversation.Id));
        after.AssignedTeamId.ShouldBe(org.Teams["Highways"]);
        after.AssignedStaffId.ShouldBe(org.Staff[Roles.Comms].Id);
        var assigned = await Db(org, db => db.AuditEvents.Where(a => a.Action == "conversation.assigned").OrderBy(a => a.Sequence).ToListAsync());
        assigned.Count.ShouldBe(2);
        assigned[1].Before.ShouldBe($"Customer Services, Agent of {org.Slug}");
        assigned[1].After.ShouldBe($"Highways, Comms of {org.Slug}");

        // Now in Highways, the agent can no longer see it.
        (await agent.GetAsync($"/inbox/conversation/{conversation.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Status_moves_follow_the_workflow_and_an_illegal_move_is_refused()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org);
        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);

        var page = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        page.QuerySelectorAll("#status-panel button[name=NewStatus]").Select(b => b.GetAttribute("value"))
            .ShouldBe(["WaitingOnCitizen", "Resolved", "Closed"]);

        var resolved = await InboxTestData.PostAsync(agent, conversation.Id, "Status", new Dictionary<string, string> { ["NewStatus"] = "Resolved" });
        resolved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var stored = await Db(org, db => db.Conversations.SingleAsync(c => c.Id == conversation.Id));
        stored.Status.ShouldBe(ConversationStatus.Resolved);
        stored.ResolvedAt.ShouldNotBeNull();

        // Resolved may only reopen or close: "waiting on citizen" is refused, nothing changes, nothing is audited.
        var auditBefore = await Db(org, db => db.AuditEvents.CountAsync());
        var illegal = await InboxTestData.PostAsync(agent, conversation.Id, "Status", new Dictionary<string, string> { ["NewStatus"] = "WaitingOnCitizen" });
        illegal.StatusCode.ShouldBe(HttpStatusCode.OK);
        var doc = await InboxTestData.ParseAsync(await illegal.Content.ReadAsStringAsync());
        doc.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("A conversation that is resolved cannot be moved to waiting on citizen");
        (await Db(org, db => db.Conversations.SingleAsync(c => c.Id == conversation.Id))).Status.ShouldBe(ConversationStatus.Resolved);
        (await Db(org, db => db.AuditEvents.CountAsync())).ShouldBe(auditBefore);

        (await InboxTestData.PostAsync(agent, conversation.Id, "Status", new Dictionary<string, string> { ["NewStatus"] = "Closed" }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.PostAsync(agent, conversation.Id, "Status", new Dictionary<string, string> { ["NewStatus"] = "Open" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Db(org, db => db.Conversations.SingleAsync(c => c.Id == conversation.Id))).Status.ShouldBe(ConversationStatus.Closed);
        var closedPage = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        closedPage.QuerySelectorAll("#status-panel button").ShouldBeEmpty();
        closedPage.QuerySelector("#reply-text").ShouldBeNull();
    }

    [Fact]
    public async Task Resolving_from_the_inbox_returns_to_the_inbox()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org);
        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        var response = await InboxTestData.PostAsync(agent, conversation.Id, "Status",
            new Dictionary<string, string> { ["NewStatus"] = "Resolved", ["ReturnUrl"] = "/inbox?sort=Newest" }, tokenPage: "/inbox");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/inbox?sort=Newest");

        var offsite = await InboxTestData.PostAsync(agent, conversation.Id, "Status",
            new Dictionary<string, string> { ["NewStatus"] = "Closed", ["ReturnUrl"] = "https://evil.example/" }, tokenPage: "/inbox");
        offsite.Headers.Location!.ToString().ShouldBe($"/inbox/conversation/{conversation.Id}#status");
    }

    [Fact]
    public async Task A_web_form_reply_is_queued_then_sent_by_the_outbound_worker_and_every_step_is_on_the_timeline()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var conversation = await InboxTestData.ConversationAsync(_factory, org, "Bins not collected on Elm Street");
        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);

        (await InboxTestData.PostAsync(agent, conversation.Id, "Priority", new Dictionary<string, string> { ["NewPriority"] = "High" }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.PostAsync(agent, conversation.Id, "Assign", new Dictionary<string, string>
        {
            ["TeamId"] = org.Teams["Customer Services"].ToString(), ["StaffId"] = org.Staff[Roles.Agent].Id,
        })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.PostAsync(agent, conversation.Id, "Note", new Dictionary<string, string> { ["NoteText"] = "Crew notified" }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var reply = await InboxTestData.PostAsync(agent, conversation.Id, "Reply", new Dictionary<string, string>
        {
            ["ReplyText"] = "Thanks, the crew will return tomorrow.",
        });
        reply.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var queued = await Db(org, db => db.Messages.SingleAsync(m => m.ConversationId == conversation.Id && m.Direction == MessageDirection.Outbound));
        queued.ExternalId.ShouldStartWith("reply-");
        queued.SentByStaffId.ShouldBe(org.Staff[Roles.Agent].Id);
        queued.AuthorHandle.ShouldBe($"Test council {org.Slug}");
        var stored = await Db(org, db => db.Conversations.SingleAsync(c => c.Id == conversation.Id));
        stored.Status.ShouldBe(ConversationStatus.WaitingOnCitizen);
        stored.FirstResponseAt.ShouldNotBeNull();
        var outbox = await Db(org, db => db.OutboundMessages.SingleAsync(o => o.MessageId == queued.Id));
        outbox.ChannelId.ShouldBe(org.WebFormChannelId);

        // A pass waits for any pass the worker is running, so afterwards every due reply has been tried.
        await _factory.Services.GetRequiredService<OutboundDispatcher>().DeliverDueAsync(CancellationToken.None);
        var sent = await Db(org, db => db.OutboundMessages.SingleAsync(o => o.MessageId == queued.Id));
        sent.Status.ShouldBe(OutboundStatus.Sent);
        sent.SentAt.ShouldNotBeNull();

        var page = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        page.QuerySelector($"#delivery-{sent.Id} .govuk-tag")!.TextContent.ShouldBe("Sent");
        page.QuerySelector(".civicdesk-message--outbound")!.TextContent.ShouldContain("written by Agent of " + org.Slug);
        var actions = page.QuerySelectorAll("[data-audit-action]").Select(e => e.GetAttribute("data-audit-action")).ToList();
        actions.ShouldBe([
            "reply.sent", "reply.queued", "conversation.status-changed", "note.added",
            "conversation.assigned", "conversation.priority-changed", "conversation.opened", "conversation.created",
        ]);
        var timeline = page.QuerySelector("#audit-timeline")!.TextContent;
        timeline.ShouldContain("Changed the status from Open to Waiting on citizen");
        timeline.ShouldContain("Changed the priority from Normal to High");
        timeline.ShouldContain($"by Agent of {org.Slug}");
        timeline.ShouldContain("by system");

        await using var scope = _factory.ScopeFor(org.Id);
        (await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org.Id, CancellationToken.None)).IsIntact.ShouldBeTrue();
    }

    [Fact]
    public async Task A_reply_on_a_network_without_a_connector_fails_with_backoff_and_can_be_retried()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var mastodon = await InboxTestData.ChannelAsync(_factory, org, ChannelKind.Mastodon);
        var conversation = await InboxTestData.ConversationAsync(_factory, org, "Park gate broken", channelId: mastodon, kind: ChannelKind.Mastodon);
        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);

        var tooLong = await InboxTestData.PostAsync(agent, conversation.Id, "Reply", new Dictionary<string, string> { ["ReplyText"] = new string('x', 501) });
        tooLong.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await tooLong.Content.ReadAsStringAsync()).ShouldContain("Reply must be 500 characters or fewer");

        (await InboxTestData.PostAsync(agent, conversation.Id, "Reply", new Dictionary<string, string> { ["ReplyText"] = "On it." }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var before = DateTime.UtcNow;
        await _factory.Services.GetRequiredService<OutboundDispatcher>().DeliverDueAsync(CancellationToken.None);
        var failed = await Db(org, db => db.OutboundMessages.SingleAsync(o => o.ConversationId == conversation.Id));
        failed.Status.ShouldBe(OutboundStatus.Failed);
        failed.LastError.ShouldBe("the channel is not connected: an administrator must configure it under Connectors");
        failed.Attempts.ShouldBe(1);
        failed.NextAttemptAt.ShouldBeGreaterThan(before.AddSeconds(20));

        var page = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        page.QuerySelector($"#delivery-{failed.Id}")!.TextContent.ShouldContain("the channel is not connected");
        page.QuerySelector("[data-audit-action='reply.failed']").ShouldNotBeNull();

        var analyst = await StaffClient.SignInAsync(_factory, org, Roles.Analyst);
        (await InboxTestData.GetPageAsync(analyst, $"/inbox/conversation/{conversation.Id}")).QuerySelector("input[name=OutboundId]").ShouldBeNull();

        var retry = await InboxTestData.PostAsync(agent, conversation.Id, "Retry", new Dictionary<string, string> { ["OutboundId"] = failed.Id.ToString() });
        retry.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        await _factory.Services.GetRequiredService<OutboundDispatcher>().DeliverDueAsync(CancellationToken.None);
        var again = await Db(org, db => db.OutboundMessages.SingleAsync(o => o.ConversationId == conversation.Id));
        again.Attempts.ShouldBe(2);
        again.Status.ShouldBe(OutboundStatus.Failed);
        (await Db(org, db => db.AuditEvents.CountAsync(a => a.Action == "reply.retry-requested"))).ShouldBe(1);
    }

    [Fact]
    public void Backoff_doubles_from_the_base_delay_up_to_the_cap()
    {
        var o = new OutboundOptions { RetryBaseDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromMinutes(10) };
        OutboundDispatcher.Backoff(1, o).ShouldBe(TimeSpan.FromSeconds(30));
        OutboundDispatcher.Backoff(2, o).ShouldBe(TimeSpan.FromSeconds(60));
        OutboundDispatcher.Backoff(4, o).ShouldBe(TimeSpan.FromSeconds(240));
        OutboundDispatcher.Backoff(9, o).ShouldBe(TimeSpan.FromMinutes(10));
    }
}
