using System.Net;
using CivicDesk.Triage;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CivicDesk.Web.Tests.Ingestion.IngestClient;

namespace CivicDesk.Web.Tests.Triage;

/// <summary>The learned models in the real pipeline: POST /api/v1/messages → triage → route → inbox and conversation page.</summary>
public sealed class TriagePipelineTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{

    /// <summary>Every service group has a rule: street lighting to Highways, everything else to Waste (so the default team means "not routed on a category").</summary>
    private async Task AddCategoryRulesAsync(TestOrganisation org)
    {
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var position = 1;
            foreach (var category in TriageLabels.Categories.Where(c => c != "none"))
            {
                db.RoutingRules.Add(new RoutingRule
                {
                    OrganisationId = org.Id, Position = position++, Name = $"{category} rule", Category = category,
                    TeamId = org.Teams[category == "street_lighting" ? "Highways" : "Waste"], UpdatedAt = DateTime.UtcNow,
                });
            }

            await db.SaveChangesAsync();
        }

        factory.Services.GetRequiredService<RoutingService>().Invalidate(org.Id);
    }

    private async Task<T> DbAsync<T>(TestOrganisation org, Func<CivicDeskDb, Task<T>> work)
    {
        await using var scope = factory.ScopeFor(org.Id);
        return await work(scope.ServiceProvider.GetRequiredService<CivicDeskDb>());
    }

    [Fact]
    public async Task A_posted_message_is_labelled_explained_and_routed_to_the_team_its_service_group_maps_to()
    {
        factory.Services.GetRequiredService<ITriageEngine>().ShouldBeOfType<ModelTriageEngine>();
        var org = await TestOrganisation.CreateAsync(factory);
        await AddCategoryRulesAsync(org);
        const string text = "Street light not working outside 12 Church Road, lamp post completely dark at night";

        var answer = await AcceptAsync(factory.CreateClient(), org.ApiKey, [Message("light-1", text)]);

        var message = await DbAsync(org, db => db.Messages.SingleAsync(m => m.Id == answer.Items[0].MessageId));
        message.Category.ShouldBe("street_lighting");
        message.Kind.ShouldNotBeNull();
        message.Sentiment.ShouldNotBeNull();
        message.NeedsHumanTriage.ShouldBeFalse();
        message.Place.ShouldBe("Church Road");
        var stored = TriageScores.Parse(message.TriageScores);
        stored.Keys.ShouldBe(["kind", "category", "sentiment", "crisis_type"], ignoreOrder: true);
        foreach (var label in stored.Values)
        {
            label.Source.ShouldNotBeNull().ShouldStartWith("model");
            label.Confidence.ShouldBeInRange(0, 1);
        }

        // What the page shows: the stored labels, explained now by the same engine.
        var triage = TriageScores.Explain(message.TriageScores, text, null, null, factory.Services.GetRequiredService<ITriageEngine>())!;
        foreach (var label in new[] { triage.Kind, triage.Category, triage.Sentiment, triage.CrisisType! })
        {
            label.Threshold.ShouldNotBeNull();
            label.Evidence.ShouldNotBeEmpty();
        }

        triage.Category.Evidence.ShouldContain(e => e.Kind != null && e.Weight > 0);
        var conversation = await DbAsync(org, db => db.Conversations.SingleAsync(c => c.Id == message.ConversationId));
        conversation.AssignedTeamId.ShouldBe(org.Teams["Highways"]);
        conversation.RoutingReason.ShouldNotBeNull().ShouldContain("street_lighting");

        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var page = await InboxTestData.GetPageAsync(admin, $"/inbox/conversation/{conversation.Id}");
        var category = page.QuerySelector($"#triage-{message.Id} [data-triage-task='category']")!;
        category.TextContent.ShouldContain("Street lighting,");
        category.TextContent.ShouldContain("% confident");
        var features = category.QuerySelectorAll("tbody tr");
        features.Length.ShouldBe(triage.Category.Evidence.Count);
        features[0].TextContent.ShouldContain(triage.Category.Evidence[0].Feature);
        page.QuerySelector($"#triage-{message.Id} [data-triage-task='crisis_type'] table").ShouldNotBeNull();
        page.QuerySelector($"#triage-{message.Id} [data-triage-task='urgency']")!.TextContent.ShouldContain("No safety words found");
        page.QuerySelector($"#triage-{message.Id} [data-triage-task='place']")!.TextContent.ShouldContain("Church Road");
    }

    [Fact]
    public async Task A_gas_leak_is_categorised_by_rule_routed_on_it_and_the_page_says_why()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddCategoryRulesAsync(org);
        const string text = "I can smell gas in the street outside 12 Church Road, it is getting stronger";

        var answer = await AcceptAsync(factory.CreateClient(), org.ApiKey, [Message("gas-1", text)]);

        var message = await DbAsync(org, db => db.Messages.SingleAsync(m => m.Id == answer.Items[0].MessageId));
        message.Category.ShouldBe(ServiceRules.Gas);
        message.IsUrgent.ShouldBeTrue();
        message.NeedsHumanTriage.ShouldBeFalse("the model alone would have guessed a street-problem group at low confidence");
        TriageScores.Parse(message.TriageScores)["category"].Source.ShouldBe("rule");
        var conversation = await DbAsync(org, db => db.Conversations.SingleAsync(c => c.Id == message.ConversationId));
        conversation.AssignedTeamId.ShouldBe(org.Teams["Waste"]); // this test's rule for every category but street lighting
        conversation.RoutingReason.ShouldNotBeNull().ShouldContain(ServiceRules.Gas);

        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var page = await InboxTestData.GetPageAsync(admin, $"/inbox/conversation/{conversation.Id}");
        var category = page.QuerySelector($"#triage-{message.Id} [data-triage-task='category']")!;
        category.TextContent.ShouldContain("Utilities gas, 100% confident");
        category.QuerySelector("[data-triage-reason]")!.TextContent.ShouldContain("the gas network's job, not the council's (National Gas Emergency Service, 0800 111 999)");
        category.QuerySelector("tbody tr")!.TextContent.ShouldContain("smell gas");
        page.QuerySelector($"#triage-{message.Id}-needs-human").ShouldBeNull();
    }

    [Fact]
    public async Task A_low_confidence_message_waits_for_a_human_and_a_confirmation_reroutes_it_and_records_feedback()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddCategoryRulesAsync(org);

        var answer = await AcceptAsync(factory.CreateClient(), org.ApiKey, [Message("vague-1", "hello, can someone call me back please")]);

        var message = await DbAsync(org, db => db.Messages.SingleAsync(m => m.Id == answer.Items[0].MessageId));
        message.NeedsHumanTriage.ShouldBeTrue();
        message.NeedsHumanReason.ShouldNotBeNull().ShouldContain("threshold");
        var conversationId = message.ConversationId;
        // Not routed on the guessed category, although a rule exists for every category: the default team's queue.
        var conversation = await DbAsync(org, db => db.Conversations.SingleAsync(c => c.Id == conversationId));
        conversation.AssignedTeamId.ShouldBe(org.Teams["Customer Services"]);
        conversation.NeedsHuman.ShouldBeTrue("the inbox's needs-a-human filter reads the flag the triggers keep");
        conversation.RoutingReason.ShouldNotBeNull().ShouldStartWith("needs a human");

        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        var queue = await InboxTestData.GetPageAsync(agent, "/inbox?needshuman=true");
        InboxTestData.References(queue).ShouldBe([conversation.Reference]);
        queue.QuerySelector("#count-needs-human")!.TextContent.ShouldBe("(1)");
        var conversationPage = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversationId}");
        conversationPage.QuerySelector($"#triage-{message.Id}-needs-human").ShouldNotBeNull();

        using var response = await InboxTestData.PostAsync(agent, conversationId, "Labels", new Dictionary<string, string>
        {
            ["messageId"] = message.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["labelKind"] = "service_request",
            ["labelCategory"] = "street_lighting",
            ["labelSentiment"] = "neutral",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var after = await DbAsync(org, db => db.Messages.SingleAsync(m => m.Id == message.Id));
        after.NeedsHumanTriage.ShouldBeFalse();
        after.Category.ShouldBe("street_lighting");
        after.RoutedTeamId.ShouldBe(org.Teams["Highways"]);
        var rerouted = await DbAsync(org, db => db.Conversations.SingleAsync(c => c.Id == conversationId));
        rerouted.AssignedTeamId.ShouldBe(org.Teams["Highways"]);
        rerouted.Category.ShouldBe("street_lighting");
        rerouted.NeedsHuman.ShouldBeFalse("confirmed: nothing waits for a person any more");
        rerouted.RoutingReason.ShouldNotBeNull().ShouldContain("labels confirmed by");
        var feedback = await DbAsync(org, db => db.TriageFeedback.Where(f => f.MessageId == message.Id).ToListAsync());
        feedback.ShouldContain(f => f.Task == "category" && f.NewValue == "street_lighting" && f.OldValue == message.Category && f.StaffId == org.Staff[Roles.Agent].Id);
        (await DbAsync(org, db => db.AuditEvents.CountAsync(a => a.Action == "triage.corrected" && a.TargetId == message.Id.ToString()))).ShouldBe(1);
        (await DbAsync(org, db => db.AuditEvents.CountAsync(a => a.Action == "conversation.rerouted"))).ShouldBe(1);
        var emptied = await InboxTestData.GetPageAsync(agent, "/inbox?needshuman=true");
        InboxTestData.References(emptied).ShouldBeEmpty();
    }

    [Fact]
    public async Task Changing_a_label_records_feedback_for_that_label_only_and_an_invalid_value_is_refused()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "Huge pothole on Dog Lane, nearly came off my bike");
        var message = await DbAsync(org, db => db.Messages.SingleAsync(m => m.ConversationId == conversation.Id));
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);

        using (var refused = await InboxTestData.PostAsync(agent, conversation.Id, "Labels", new Dictionary<string, string>
        {
            ["labelKind"] = "complaint", ["labelCategory"] = "nuclear_waste", ["labelSentiment"] = "negative",
        }))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await refused.Content.ReadAsStringAsync()).ShouldContain("Select the service category");
        }

        var newSentiment = message.Sentiment == "positive" ? "negative" : "positive";
        using var response = await InboxTestData.PostAsync(agent, conversation.Id, "Labels", new Dictionary<string, string>
        {
            ["labelKind"] = message.Kind!, ["labelCategory"] = message.Category!, ["labelSentiment"] = newSentiment, ["labelUrgent"] = "true",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var feedback = await DbAsync(org, db => db.TriageFeedback.OrderBy(f => f.Task).ToListAsync());
        feedback.Select(f => f.Task).ShouldBe(["sentiment", "urgent"]);
        feedback[0].NewValue.ShouldBe(newSentiment);
        var after = await DbAsync(org, db => db.Messages.SingleAsync(m => m.Id == message.Id));
        after.Sentiment.ShouldBe(newSentiment);
        after.IsUrgent.ShouldBeTrue();
        (await DbAsync(org, db => db.Conversations.SingleAsync(c => c.Id == conversation.Id))).Priority.ShouldBe(Priority.Urgent);
        // The engine's own answer is kept, with the staff label shown beside it.
        var page = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}");
        page.QuerySelector($"#triage-{message.Id} [data-triage-task='sentiment']")!.TextContent.ShouldContain("Changed by staff to");
    }
}
