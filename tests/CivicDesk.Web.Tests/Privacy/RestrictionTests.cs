using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Cases;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Privacy;

/// <summary>
/// A restriction request (Article 18) really restricts: once applied, the person's conversation cannot be replied to or
/// put on a case, their case leaves the exports, both pages say why; lifting it restores normal use. Another
/// person's data is untouched throughout.
/// </summary>
public sealed class RestrictionTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private async Task<(long ConversationId, long MessageId)> PostAsync(TestOrganisation org, string email, string text)
    {
        var outcome = await factory.Services.GetRequiredService<IngestPipeline>().SubmitAsync(new IngestBatch(org.Id, org.WebFormChannelId, ChannelKind.WebForm,
            [new InboundPost("p-" + Guid.NewGuid().ToString("N"), text, email, CitizenEmail: email, IsDirect: true)]), default);
        var item = outcome.Items.Single();
        return (item.ConversationId, item.MessageId);
    }

    [Fact]
    public async Task A_restricted_persons_data_is_stored_only_until_the_restriction_is_lifted()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var (rita, ritaMessage) = await PostAsync(org, "rita@example.org", "RITA: the streetlight outside 3 Elm Row is out");
        var (ritaAgain, ritaSecond) = await PostAsync(org, "rita@example.org", "RITA: and the one at number 5");
        var (sam, samMessage) = await PostAsync(org, "sam@example.net", "SAM: broken bench in the park");
        var ritaCase = await CaseTestData.CaseAsync(factory, org, "Streetlight out on Elm Row", messageIds: [ritaMessage]);
        var samCase = await CaseTestData.CaseAsync(factory, org, "Broken bench in the park", messageIds: [samMessage]);

        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var logged = await StaffClient.PostFormAsync(admin, "/admin/subject-requests", "/admin/subject-requests", new Dictionary<string, string>
        {
            ["Input.Kind"] = "Restriction", ["Input.RequesterName"] = "Rita Smith", ["Input.Emails"] = "rita@example.org",
        });
        logged.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Redirect);
        var reference = await InboxTestData.WithDbAsync(factory, org.Id, db => db.SubjectRequests.Select(r => r.Reference).SingleAsync());
        var restricted = await StaffClient.PostFormAsync(admin, $"/admin/subject-requests/{reference}", $"/admin/subject-requests/{reference}?handler=Restrict", new Dictionary<string, string>());
        restricted.StatusCode.ShouldBe(HttpStatusCode.OK);
        long[] ritas = [.. new[] { rita, ritaAgain }.Distinct()];
        (await InboxTestData.ParseAsync(await restricted.Content.ReadAsStringAsync())).QuerySelector("#restricted-count")!.TextContent.ShouldContain($"{ritas.Length + 1} conversation(s) and case(s)");

        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.Conversations.Where(c => c.RestrictedBy == reference).Select(c => c.Id).ToListAsync())).ShouldBe(ritas, ignoreOrder: true);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.Cases.Where(c => c.RestrictedBy == reference).Select(c => c.Id).ToListAsync())).ShouldBe([ritaCase.Id]);

        // Stored, visibly: the banner on her conversation and case.
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        (await InboxTestData.GetPageAsync(comms, $"/inbox/conversation/{rita}")).QuerySelector("#restricted")!.TextContent.ShouldContain(reference);
        (await InboxTestData.GetPageAsync(comms, $"/cases/{ritaCase.Reference}")).QuerySelector("#restricted").ShouldNotBeNull();
        (await InboxTestData.GetPageAsync(comms, $"/inbox/conversation/{sam}")).QuerySelector("#restricted").ShouldBeNull();

        // Not used: no reply, no case, not exported. Sam's are.
        async Task<int> OutboundAsync(long conversation) => await InboxTestData.WithDbAsync(factory, org.Id, db => db.Messages.CountAsync(m => m.ConversationId == conversation && m.Direction == MessageDirection.Outbound));
        var reply = await InboxTestData.PostAsync(comms, rita, "Reply", new Dictionary<string, string> { ["ReplyText"] = "Thanks Rita, we will fix it" });
        (await reply.Content.ReadAsStringAsync()).ShouldContain($"is restricted ({reference})");
        (await OutboundAsync(rita)).ShouldBe(0);
        var linked = await CaseTestData.CommandAsync(factory, org, c => c.LinkMessageAsync(ritaCase.Id, ritaSecond, default));
        linked.Outcome.ShouldBe(CaseOutcome.Invalid);
        linked.Error!.ShouldContain("restricted");
        var fromMessages = await CaseTestData.CommandAsync(factory, org, c => c.CreateFromMessagesAsync([ritaSecond], CaseTestData.General, "Second light", null, default));
        fromMessages.Outcome.ShouldBe(CaseOutcome.Invalid);
        var csv = await (await comms.GetAsync("/cases/export.csv")).Content.ReadAsStringAsync();
        csv.ShouldNotContain(ritaCase.Reference);
        csv.ShouldContain(samCase.Reference);
        await InboxTestData.PostAsync(comms, sam, "Reply", new Dictionary<string, string> { ["ReplyText"] = "Thanks Sam" });
        (await OutboundAsync(sam)).ShouldBe(1);

        // Lifted: normal use again, and every step is in the audit trail.
        var lifted = await StaffClient.PostFormAsync(admin, $"/admin/subject-requests/{reference}", $"/admin/subject-requests/{reference}?handler=Lift", new Dictionary<string, string>());
        lifted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.Conversations.CountAsync(c => c.RestrictedBy != null))).ShouldBe(0);
        await InboxTestData.PostAsync(comms, rita, "Reply", new Dictionary<string, string> { ["ReplyText"] = "Thanks Rita, fixed" });
        (await OutboundAsync(rita)).ShouldBe(1);
        (await (await comms.GetAsync("/cases/export.csv")).Content.ReadAsStringAsync()).ShouldContain(ritaCase.Reference);
        var actions = await InboxTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.Select(e => e.Action).ToListAsync());
        actions.ShouldContain("subject-request.restricted");
        actions.ShouldContain("subject-request.restriction-lifted");
    }
}
