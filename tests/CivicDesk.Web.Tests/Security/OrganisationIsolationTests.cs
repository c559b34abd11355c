using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Security;

public sealed class OrganisationIsolationTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public OrganisationIsolationTests(CivicDeskFactory factory) => _factory = factory;

    [Theory]
    [InlineData(Roles.Agent)]
    [InlineData(Roles.TeamLead)]
    [InlineData(Roles.Comms)]
    [InlineData(Roles.Analyst)]
    [InlineData(Roles.Admin)]
    public async Task Staff_of_one_organisation_never_see_or_touch_anothers_conversations(string role)
    {
        var a = await TestOrganisation.CreateAsync(_factory);
        var b = await TestOrganisation.CreateAsync(_factory);
        var ours = await InboxTestData.ConversationAsync(_factory, a, "Graffiti on the bridge");
        var theirs = await InboxTestData.ConversationAsync(_factory, b, "Graffiti on the bridge");
        var client = await StaffClient.SignInAsync(_factory, a, role);

        (await client.GetAsync($"/inbox/conversation/{theirs.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync($"/inbox/conversation/{theirs.Id}?handler=People&TeamId={b.Teams["Highways"]}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var everything = "/inbox?status=New&status=Open&status=WaitingOnCitizen&status=Resolved&status=Closed";
        var inbox = await InboxTestData.GetPageAsync(client, everything);
        InboxTestData.References(inbox).ShouldBe([ours.Reference]);
        inbox.QuerySelector("#count-status-New")!.TextContent.ShouldBe("(1)");
        inbox.QuerySelector($"#count-team-{b.Teams["Customer Services"]}").ShouldBeNull();

        var posts = new (string Handler, Dictionary<string, string> Form)[]
        {
            ("Status", new() { ["NewStatus"] = "Resolved" }),
            ("Priority", new() { ["NewPriority"] = "High" }),
            ("Assign", new() { ["TeamId"] = a.Teams["Customer Services"].ToString() }),
            ("Note", new() { ["NoteText"] = "hello" }),
            ("Reply", new() { ["ReplyText"] = "hello" }),
            ("Retry", new() { ["OutboundId"] = "1" }),
        };
        foreach (var (handler, form) in posts)
        {
            var response = await InboxTestData.PostAsync(client, theirs.Id, handler, form, tokenPage: "/inbox");
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"POST {handler} on another organisation's conversation");
        }

        var after = await InboxTestData.WithDbAsync(_factory, b.Id, async db => await db.Conversations.FindAsync(theirs.Id));
        after!.Status.ShouldBe(ConversationStatus.New);
        after.Priority.ShouldBe(theirs.Priority);
        (await InboxTestData.WithDbAsync(_factory, b.Id, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.InternalNotes))).ShouldBe(0);
    }
}
