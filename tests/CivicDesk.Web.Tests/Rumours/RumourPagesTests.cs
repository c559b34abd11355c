using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Rumours;

public sealed class RumourPagesTests(SpeakFactory factory) : IClassFixture<SpeakFactory>
{
    internal static async Task<long> ClaimAsync(HttpClient comms, string statement)
    {
        var response = await StaffClient.PostFormAsync(comms, "/comms/rumours", "/comms/rumours", new Dictionary<string, string> { ["Statement"] = statement });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return long.Parse(response.Headers.Location!.ToString()["/comms/rumours/".Length..]);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, long claimId, string handler, Dictionary<string, string> fields) =>
        StaffClient.PostFormAsync(client, $"/comms/rumours/{claimId}", $"/comms/rumours/{claimId}?handler={handler}", fields);

    [Fact]
    public async Task The_rebuttal_is_counted_for_each_account_as_it_is_typed_with_the_link_to_the_facts()
    {
        var org = await factory.OrganisationAsync();
        var x = await factory.SocialChannelAsync(org, ChannelKind.Twitter, "X measure");
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await ClaimAsync(comms, "The library is being sold to developers");
        var link = $"http://localhost/myths-and-facts#claim-{id}";

        var page = await InboxTestData.GetPageAsync(comms, $"/comms/rumours/{id}");
        page.QuerySelector("#measure-status")!.GetAttribute("hx-post").ShouldBe($"/comms/rumours/{id}?handler=Measure");

        // Over the test broadcaster's 100 characters once the link is added (the real networks' rules: NetworkRulesTests).
        var rebuttal = "Not true: the library stays open, is not for sale, and its opening hours are not changing this year.";
        var response = await PostAsync(comms, id, "Measure", new() { ["Rebuttal"] = rebuttal, ["ChannelIds"] = x.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = Public.Citizen.Parse(await response.Content.ReadAsStringAsync());
        var length = rebuttal.Length + 2 + link.Length;
        length.ShouldBeGreaterThan(100);
        answer.QuerySelector($"#measure-{x}")!.TextContent.ShouldBe($"{length} of 100 characters with the link: too long for Twitter");
        answer.QuerySelector("#measure-status")!.TextContent.ShouldBe($"Too long for X measure: {length} of 100 characters");
    }

    [Fact]
    public async Task Similar_messages_are_suggested_with_the_reason_and_can_be_attached_or_dismissed()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await ClaimAsync(comms, "The council is closing Pittville swimming pool for good");
        var rumour = await factory.MessageAsync(org, "Is it true they are closing Pittville swimming pool? I heard it's for good");
        var similar = await factory.MessageAsync(org, "Pittville swimming pool closing for good, apparently");
        var unrelated = await factory.MessageAsync(org, "Bins not collected on Hales Road again");

        var page = await InboxTestData.GetPageAsync(comms, $"/comms/rumours/{id}");
        var suggestions = page.QuerySelectorAll("[data-suggestion]").ToDictionary(e => long.Parse(e.GetAttribute("data-suggestion")!), e => e.TextContent);
        suggestions.ShouldContainKey(rumour.MessageId);
        suggestions[rumour.MessageId].ShouldContain("triage kind rumour");
        suggestions[similar.MessageId].ShouldContain("similar to the claim");
        suggestions[similar.MessageId].ShouldContain("“pittville”");
        suggestions.ShouldNotContainKey(unrelated.MessageId);

        (await PostAsync(comms, id, "Accept", new() { ["messageId"] = rumour.MessageId.ToString(), ["reason"] = "triage kind rumour" })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await PostAsync(comms, id, "Dismiss", new() { ["messageId"] = similar.MessageId.ToString() })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page = await InboxTestData.GetPageAsync(comms, $"/comms/rumours/{id}");
        page.QuerySelector($"#sightings [data-message-id='{rumour.MessageId}']")!.TextContent.ShouldContain("suggested: triage kind rumour");
        page.QuerySelectorAll("[data-suggestion]").ShouldBeEmpty("attached and dismissed messages are not suggested again");
        page.QuerySelectorAll("#chart-sightings-per-day tbody td").Select(td => int.Parse(td.TextContent)).Sum().ShouldBe(1);
        (await factory.AuditAsync(org.Id, "rumour.sighting-attached")).ShouldContain(a => a.TargetId == id.ToString());
        (await factory.AuditAsync(org.Id, "rumour.sighting-dismissed")).ShouldContain(a => a.TargetId == id.ToString());
    }

    [Fact]
    public async Task Attaching_by_reference_checks_the_reference_and_refuses_a_second_attachment()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await ClaimAsync(comms, "Parking is free in December");
        var message = await factory.MessageAsync(org, "Someone said parking is free all December?");
        var reference = await factory.WithDbAsync(org.Id, db => db.Conversations.Where(c => c.Id == message.ConversationId).Select(c => c.Reference).SingleAsync());

        var bad = await PostAsync(comms, id, "Attach", new() { ["Reference"] = "CD-000000" });
        (await InboxTestData.ParseAsync(await bad.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("There is no conversation CD-000000");
        (await PostAsync(comms, id, "Attach", new() { ["Reference"] = reference.ToLowerInvariant() })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var again = await PostAsync(comms, id, "Attach", new() { ["Reference"] = reference });
        (await InboxTestData.ParseAsync(await again.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("already a sighting");
        (await factory.WithDbAsync(org.Id, db => db.RumourSightings.CountAsync(s => s.ClaimId == id))).ShouldBe(1);
    }

    [Fact]
    public async Task A_verdict_publishes_a_myths_and_facts_entry_and_a_rebuttal_and_each_sharer_is_answered_once()
    {
        var org = await factory.OrganisationAsync();
        var mastodon = await factory.SocialChannelAsync(org, ChannelKind.Mastodon, "Mastodon rebuttals");
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await ClaimAsync(comms, "Libraries will charge for children's books <script>x</script>");
        var citizen = StaffClient.Anonymous(factory);
        (await InboxTestData.GetPageAsync(citizen, "/myths-and-facts")).QuerySelector($"#claim-{id}").ShouldBeNull("nothing before a verdict");

        var first = await factory.MessageAsync(org, "Libraries charging for kids books now??", handle: "sam");
        var second = await factory.MessageAsync(org, "Heard libraries will charge for children's books", handle: "sam");
        var other = await factory.MessageAsync(org, "Is it true libraries will charge children?", handle: "alex");
        foreach (var m in new[] { first, second, other })
        {
            (await PostAsync(comms, id, "Accept", new() { ["messageId"] = m.MessageId.ToString() })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }

        var invalid = await PostAsync(comms, id, "Verdict", new() { ["Verdict"] = "Investigating", ["Facts"] = "" });
        var errors = (await InboxTestData.ParseAsync(await invalid.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent;
        errors.ShouldContain("Select the verdict");
        errors.ShouldContain("Enter the facts");
        (await PostAsync(comms, id, "Verdict", new()
        {
            ["Verdict"] = "False", ["Facts"] = "Borrowing children's books stays free.", ["Rebuttal"] = "Children's library books stay free.", ["ChannelIds"] = mastodon.ToString(),
        })).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var myths = await InboxTestData.GetPageAsync(citizen, "/myths-and-facts");
        var entry = myths.QuerySelector($"#claim-{id}")!;
        entry.QuerySelector("h2")!.TextContent.ShouldBe("Libraries will charge for children's books <script>x</script>", "shown as text, not markup");
        entry.TextContent.ShouldContain("False");
        entry.TextContent.ShouldContain("Borrowing children's books stays free.");
        var rebuttal = factory.Broadcaster.Requests.Single(r => r.Source == "rumour-rebuttal" && r.SourceId == id);
        rebuttal.ChannelIds.ShouldBe([mastodon]);
        rebuttal.Link.ShouldBe($"http://localhost/myths-and-facts#claim-{id}");

        var page = await InboxTestData.GetPageAsync(comms, $"/comms/rumours/{id}");
        var authors = page.QuerySelectorAll("#author-list input").Select(i => i.GetAttribute("value")!).ToList();
        authors.Count.ShouldBe(2, "sam shared it twice but is one person");
        var reply = await PostAsync(comms, id, "Reply", new() { ["Authorised"] = authors[0], ["ReplyText"] = "It is not true: children's books stay free." });
        reply.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var form = new List<KeyValuePair<string, string>> { new("ReplyText", "It is not true.") };
        form.AddRange(authors.Select(a => new KeyValuePair<string, string>("Authorised", a)));
        var token = await StaffClient.AntiforgeryTokenAsync(comms, $"/comms/rumours/{id}");
        form.Add(new("__RequestVerificationToken", token));
        (await comms.PostAsync($"/comms/rumours/{id}?handler=Reply", new FormUrlEncodedContent(form))).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var replies = await factory.WithDbAsync(org.Id, db => db.RumourReplies.Where(r => r.ClaimId == id).OrderBy(r => r.SendAt).ToListAsync());
        replies.Select(r => r.AuthorHandle).ShouldBe(["alex", "sam"], ignoreOrder: true);
        (replies[1].SendAt - replies[0].SendAt).ShouldBe(TimeSpan.FromMinutes(1), "spaced by Rumours:ReplySpacing");
        var outbound = await factory.WithDbAsync(org.Id, db => db.Messages
            .Where(m => m.Direction == MessageDirection.Outbound && (m.ConversationId == first.ConversationId || m.ConversationId == second.ConversationId || m.ConversationId == other.ConversationId))
            .CountAsync());
        outbound.ShouldBe(2, "one reply per person, never twice");
        var queued = await factory.WithDbAsync(org.Id, db => db.OutboundMessages.Where(o => o.ConversationId == replies[1].ConversationId).SingleAsync());
        queued.NextAttemptAt.ShouldBeGreaterThanOrEqualTo(replies[1].SendAt.AddSeconds(-1));
        (await factory.AuditAsync(org.Id, "rumour.verdict-published")).ShouldContain(a => a.TargetId == id.ToString());
        (await factory.AuditAsync(org.Id, "rumour.authors-answered")).Count(a => a.TargetId == id.ToString()).ShouldBe(2);
    }

    [Fact]
    public async Task Agents_cannot_run_the_rumour_tracker()
    {
        var org = await factory.OrganisationAsync();
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        (await agent.GetAsync("/comms/rumours")).Headers.Location!.ToString().ShouldContain("access-denied");
        (await StaffClient.Anonymous(factory).GetAsync("/myths-and-facts")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
