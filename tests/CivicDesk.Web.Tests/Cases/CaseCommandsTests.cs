using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Cases;

public sealed class CaseCommandsTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task CreateFromMessages_links_every_message_and_each_conversation_as_a_reporter()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var mastodon = await InboxTestData.ChannelAsync(factory, org, ChannelKind.Mastodon);
        var a = await InboxTestData.ConversationAsync(factory, org, "Huge pothole on Bath Road outside the school");
        var b = await InboxTestData.ConversationAsync(factory, org, "Pothole on Bath Road again, nearly came off my bike", channelId: mastodon, kind: ChannelKind.Mastodon);
        var messageIds = await CaseTestData.WithDbAsync(factory, org.Id, db =>
            db.Messages.Where(m => m.ConversationId == a.Id || m.ConversationId == b.Id).Select(m => m.Id).ToListAsync());

        var result = await CaseTestData.CommandAsync(factory, org, c => c.CreateFromMessagesAsync(messageIds, CaseTestData.Potholes, null, null, Ct));

        result.Outcome.ShouldBe(CaseOutcome.Done, result.Error);
        var created = result.Case!;
        created.Reference.ShouldStartWith("CS-");
        created.Title.ShouldBe("Huge pothole on Bath Road outside the school");
        created.Source.ShouldBe(CaseSource.Message);
        created.TeamId.ShouldBe(org.Teams["Highways"], "the service's team works the case");
        created.Description.ShouldContain("nearly came off my bike");
        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            (await db.CaseMessages.Where(x => x.CaseId == created.Id).Select(x => x.MessageId).ToListAsync()).ShouldBe(messageIds, ignoreOrder: true);
            (await db.CaseReporters.Where(x => x.CaseId == created.Id).Select(x => x.ConversationId).ToListAsync()).ShouldBe([a.Id, b.Id], ignoreOrder: true);
            (await db.CaseEvents.Where(x => x.CaseId == created.Id).Select(x => x.Type).ToListAsync()).ShouldBe([CaseEventType.Created]);
            (await db.AuditEvents.CountAsync(x => x.Action == "case.created" && x.TargetId == created.Id.ToString())).ShouldBe(1);
            return 0;
        });
    }

    [Fact]
    public async Task Create_refuses_an_unknown_service_and_a_half_location()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var unknown = await CaseTestData.CommandAsync(factory, org, c => c.CreateAsync(new NewCase
        {
            ServiceCode = "no-such-service", Title = "T", Description = "D", Source = CaseSource.Api,
        }, Ct));
        unknown.Outcome.ShouldBe(CaseOutcome.Invalid);
        unknown.Field.ShouldBe("ServiceCode");

        var half = await CaseTestData.CommandAsync(factory, org, c => c.CreateAsync(new NewCase
        {
            ServiceCode = CaseTestData.Potholes, Title = "T", Description = "D", Source = CaseSource.Api, Latitude = 51.9,
        }, Ct));
        half.Outcome.ShouldBe(CaseOutcome.Invalid);
        (await CaseTestData.WithDbAsync(factory, org.Id, db => db.Cases.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task Public_status_change_queues_a_reply_to_every_reporter_on_their_own_channel()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var mastodon = await InboxTestData.ChannelAsync(factory, org, ChannelKind.Mastodon);
        var web = await InboxTestData.ConversationAsync(factory, org, "Pothole on Bath Road");
        var social = await InboxTestData.ConversationAsync(factory, org, "Bath Road pothole", channelId: mastodon, kind: ChannelKind.Mastodon);
        var ids = await MessageIdsAsync(org, web.Id, social.Id);
        var c = (await CaseTestData.CommandAsync(factory, org, x => x.CreateFromMessagesAsync(ids, CaseTestData.Potholes, null, null, Ct))).Case!;

        var internalOnly = await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(c.Id, CaseStatus.Investigating, "Inspector booked", false, Ct));
        internalOnly.Outcome.ShouldBe(CaseOutcome.Done);
        (await CaseTestData.WithDbAsync(factory, org.Id, db => db.OutboundMessages.CountAsync())).ShouldBe(0, "an internal change tells nobody");

        var fixedResult = await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(c.Id, CaseStatus.Fixed, "Patched this morning.", true, Ct));
        fixedResult.Outcome.ShouldBe(CaseOutcome.Done);

        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            var rows = await db.OutboundMessages.Join(db.Messages, o => o.MessageId, m => m.Id, (o, m) => new { o.ConversationId, o.ChannelId, m.Text }).ToListAsync();
            rows.Select(r => (r.ConversationId, r.ChannelId)).ShouldBe([(web.Id, org.WebFormChannelId), (social.Id, mastodon)], ignoreOrder: true);
            rows.ShouldAllBe(r => r.Text.Contains(c.Reference) && r.Text.Contains("Patched this morning."));
            var saved = await db.Cases.SingleAsync(x => x.Id == c.Id);
            saved.Status.ShouldBe(CaseStatus.Fixed);
            saved.ClosedAt.ShouldNotBeNull();
            (await db.CaseEvents.Where(x => x.CaseId == c.Id).OrderBy(x => x.Id).Select(x => x.Type).ToListAsync())
                .ShouldBe([CaseEventType.Created, CaseEventType.Updated, CaseEventType.Closed]);
            (await db.CaseUpdates.Where(x => x.CaseId == c.Id).OrderBy(x => x.Id).Select(x => x.IsPublic).ToListAsync()).ShouldBe([false, true]);
            (await db.AuditEvents.CountAsync(x => x.Action == "case.status-changed" && x.TargetId == c.Id.ToString())).ShouldBe(2);
            return 0;
        });
    }

    [Fact]
    public async Task Refused_status_change_is_invalid_and_changes_nothing()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var c = await CaseTestData.CaseAsync(factory, org);
        (await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(c.Id, CaseStatus.Closed, null, false, Ct))).Outcome.ShouldBe(CaseOutcome.Done);

        var refused = await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(c.Id, CaseStatus.InProgress, null, false, Ct));
        refused.Outcome.ShouldBe(CaseOutcome.Invalid);
        refused.Error.ShouldBe("A case that is closed cannot be moved to in progress");
        var duplicate = await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(c.Id, CaseStatus.Duplicate, null, false, Ct));
        duplicate.Outcome.ShouldBe(CaseOutcome.Invalid);
        (await CaseTestData.ReloadAsync(factory, org, c.Id)).Status.ShouldBe(CaseStatus.Closed);
    }

    [Fact]
    public async Task External_update_is_applied_once_per_update_id()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var c = await CaseTestData.CaseAsync(factory, org);
        var actor = new CaseActor(null, "Open311 client");
        var update = new ExternalUpdate("crm-123", "PATCHED");

        var first = await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(c.Id, CaseStatus.InProgress, "Crew on site", true, Ct, actor, update));
        var again = await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(c.Id, CaseStatus.InProgress, "Crew on site", true, Ct, actor, update));

        first.Outcome.ShouldBe(CaseOutcome.Done);
        again.Outcome.ShouldBe(CaseOutcome.AlreadyApplied);
        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            var u = await db.CaseUpdates.SingleAsync(x => x.CaseId == c.Id);
            (u.ExternalUpdateId, u.ExternalStatusCode, u.AuthorName).ShouldBe(("crm-123", "PATCHED", "Open311 client"));
            (await db.AuditEvents.SingleAsync(x => x.Action == "case.status-changed")).ActorName.ShouldBe("Open311 client");
            return 0;
        });
    }

    [Fact]
    public async Task Merge_keeps_every_reporter_and_message_and_closing_the_survivor_tells_them_all()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var mastodon = await InboxTestData.ChannelAsync(factory, org, ChannelKind.Mastodon);
        var first = await InboxTestData.ConversationAsync(factory, org, "Mattress dumped in Hales Road alley");
        var second = await InboxTestData.ConversationAsync(factory, org, "Someone has fly-tipped a mattress on Hales Road", channelId: mastodon, kind: ChannelKind.Mastodon);
        var firstIds = await MessageIdsAsync(org, first.Id);
        var secondIds = await MessageIdsAsync(org, second.Id);
        var survivor = (await CaseTestData.CommandAsync(factory, org, x => x.CreateFromMessagesAsync(firstIds, CaseTestData.Flytipping, null, null, Ct))).Case!;
        var duplicate = (await CaseTestData.CommandAsync(factory, org, x => x.CreateFromMessagesAsync(secondIds, CaseTestData.Flytipping, null, null, Ct))).Case!;

        var merged = await CaseTestData.CommandAsync(factory, org, x => x.MergeAsync(duplicate.Id, survivor.Id, Ct));
        merged.Outcome.ShouldBe(CaseOutcome.Done, merged.Error);

        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            var dup = await db.Cases.SingleAsync(x => x.Id == duplicate.Id);
            dup.Status.ShouldBe(CaseStatus.Duplicate);
            dup.MergedIntoCaseId.ShouldBe(survivor.Id);
            (await db.CaseReporters.Where(x => x.CaseId == survivor.Id).Select(x => x.ConversationId).ToListAsync()).ShouldBe([first.Id, second.Id], ignoreOrder: true);
            (await db.CaseMessages.CountAsync(x => x.CaseId == survivor.Id)).ShouldBe(2);
            (await db.CaseEvents.CountAsync(x => x.CaseId == duplicate.Id && x.Type == CaseEventType.Merged)).ShouldBe(1);
            (await db.AuditEvents.CountAsync(x => x.Action == "case.merged" && x.TargetId == duplicate.Id.ToString())).ShouldBe(1);
            return 0;
        });

        (await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(survivor.Id, CaseStatus.Fixed, "Cleared today.", true, Ct))).Outcome.ShouldBe(CaseOutcome.Done);
        var told = await CaseTestData.WithDbAsync(factory, org.Id, db => db.OutboundMessages.Select(o => o.ConversationId).ToListAsync());
        told.ShouldBe([first.Id, second.Id], ignoreOrder: true);
    }

    [Fact]
    public async Task Merge_refuses_itself_and_a_closed_survivor()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var a = await CaseTestData.CaseAsync(factory, org);
        var b = await CaseTestData.CaseAsync(factory, org);
        (await CaseTestData.CommandAsync(factory, org, x => x.MergeAsync(a.Id, a.Id, Ct))).Outcome.ShouldBe(CaseOutcome.Invalid);
        await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(b.Id, CaseStatus.Fixed, null, false, Ct));
        var refused = await CaseTestData.CommandAsync(factory, org, x => x.MergeAsync(a.Id, b.Id, Ct));
        refused.Outcome.ShouldBe(CaseOutcome.Invalid);
        (await CaseTestData.ReloadAsync(factory, org, a.Id)).Status.ShouldBe(CaseStatus.Open);
    }

    [Fact]
    public async Task LinkMessage_adds_the_conversation_as_a_reporter_once()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var c = await CaseTestData.CaseAsync(factory, org);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "Still not fixed, the pothole on the High Street");
        var messageId = (await MessageIdsAsync(org, conversation.Id)).Single();

        (await CaseTestData.CommandAsync(factory, org, x => x.LinkMessageAsync(c.Id, messageId, Ct))).Outcome.ShouldBe(CaseOutcome.Done);
        (await CaseTestData.CommandAsync(factory, org, x => x.LinkMessageAsync(c.Id, messageId, Ct))).Outcome.ShouldBe(CaseOutcome.Done);

        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            (await db.CaseMessages.CountAsync(x => x.CaseId == c.Id)).ShouldBe(1);
            (await db.CaseReporters.CountAsync(x => x.CaseId == c.Id)).ShouldBe(1);
            return 0;
        });
    }

    [Fact]
    public async Task Assign_priority_and_due_are_audited_with_an_event()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var c = await CaseTestData.CaseAsync(factory, org);
        (await CaseTestData.CommandAsync(factory, org, x => x.AssignAsync(c.Id, org.Teams["Waste"], null, Ct))).Outcome.ShouldBe(CaseOutcome.Done);
        (await CaseTestData.CommandAsync(factory, org, x => x.ChangePriorityAsync(c.Id, Priority.High, Ct))).Outcome.ShouldBe(CaseOutcome.Done);
        var due = new DateTime(2026, 12, 1, 17, 0, 0, DateTimeKind.Utc);
        (await CaseTestData.CommandAsync(factory, org, x => x.SetDueAsync(c.Id, due, Ct))).Outcome.ShouldBe(CaseOutcome.Done);
        var wrongPerson = await CaseTestData.CommandAsync(factory, org, x => x.AssignAsync(c.Id, org.Teams["Waste"], org.Staff["Agent"].Id, Ct));
        wrongPerson.Field.ShouldBe("StaffId");

        var saved = await CaseTestData.ReloadAsync(factory, org, c.Id);
        (saved.TeamId, saved.Priority, saved.DueAt).ShouldBe((org.Teams["Waste"], Priority.High, due));
        (await CaseTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.Where(a => a.TargetType == "Case" && a.TargetId == c.Id.ToString())
            .Select(a => a.Action).ToListAsync()))
            .ShouldBe(["case.created", "case.assigned", "case.priority-changed", "case.due-changed"], ignoreOrder: true);
        (await CaseTestData.WithDbAsync(factory, org.Id, db => db.CaseEvents.CountAsync(e => e.CaseId == c.Id))).ShouldBe(4);
    }

    private Task<List<long>> MessageIdsAsync(TestOrganisation org, params long[] conversationIds) =>
        CaseTestData.WithDbAsync(factory, org.Id, db => db.Messages.Where(m => conversationIds.Contains(m.ConversationId)).OrderBy(m => m.Id).Select(m => m.Id).ToListAsync());
}
