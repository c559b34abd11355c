using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Faq;

public sealed class QaSessionTests(SpeakFactory factory) : IClassFixture<SpeakFactory>
{
    private static string Local(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZoneInfo.FindSystemTimeZoneById("Europe/London")).ToString("yyyy-MM-ddTHH:mm");

    internal static async Task<long> SessionAsync(HttpClient comms, long channelId, string hashtag, DateTime startsUtc, DateTime endsUtc)
    {
        var response = await StaffClient.PostFormAsync(comms, "/comms/qa", "/comms/qa", new Dictionary<string, string>
        {
            ["Input.Title"] = "Ask us about " + hashtag, ["Input.Hashtag"] = "#" + hashtag, ["Input.ChannelIds"] = channelId.ToString(),
            ["Input.StartsAt"] = Local(startsUtc), ["Input.EndsAt"] = Local(endsUtc),
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return long.Parse(response.Headers.Location!.ToString()["/comms/qa/".Length..]);
    }

    [Fact]
    public async Task A_session_needs_a_hashtag_or_account_channels_and_a_window_that_ends_after_it_starts()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var response = await StaffClient.PostFormAsync(comms, "/comms/qa", "/comms/qa", new Dictionary<string, string>
        {
            ["Input.Title"] = "Bad", ["Input.StartsAt"] = "2026-12-02T18:00", ["Input.EndsAt"] = "2026-12-02T17:00",
        });
        var summary = (await InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent;
        summary.ShouldContain("Enter a hashtag or an account");
        summary.ShouldContain("Choose at least one channel");
        summary.ShouldContain("The session must end after it starts");
        var badTag = await StaffClient.PostFormAsync(comms, "/comms/qa", "/comms/qa", new Dictionary<string, string> { ["Input.Title"] = "Bad", ["Input.Hashtag"] = "two words" });
        (await InboxTestData.ParseAsync(await badTag.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("only letters, numbers and underscores");
    }

    [Fact]
    public async Task Questions_with_the_hashtag_inside_the_window_become_an_faq_entry_and_the_asker_is_told_once()
    {
        var org = await factory.OrganisationAsync();
        var mastodon = await factory.SocialChannelAsync(org, ChannelKind.Mastodon, "Mastodon Q&A");
        var other = await factory.SocialChannelAsync(org, ChannelKind.Bluesky, "Bluesky not in session");
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var now = DateTime.UtcNow;
        var id = await SessionAsync(comms, mastodon, "AskAboutBins", now.AddHours(-1), now.AddHours(1));
        var question = await factory.MessageAsync(org, "#askaboutbins When do garden waste collections restart?", mastodon, ChannelKind.Mastodon, "@ann@example.social");
        var tooEarly = await factory.MessageAsync(org, "#AskAboutBins early one", mastodon, ChannelKind.Mastodon, createdAt: now.AddHours(-2));
        var otherChannel = await factory.MessageAsync(org, "#AskAboutBins from elsewhere", other, ChannelKind.Bluesky);
        var longerTag = await factory.MessageAsync(org, "#AskAboutBinsToo not ours", mastodon, ChannelKind.Mastodon);

        var board = await InboxTestData.GetPageAsync(comms, $"/comms/qa/{id}");
        board.QuerySelectorAll("[data-question-id]").Select(q => q.QuerySelector("[data-question-text]")!.TextContent).ShouldBe(["#askaboutbins When do garden waste collections restart?"]);
        var questionId = long.Parse(board.QuerySelector("[data-question-id]")!.GetAttribute("data-question-id")!);
        _ = (tooEarly, otherChannel, longerTag);

        var answer = await StaffClient.PostFormAsync(comms, $"/comms/qa/{id}", $"/comms/qa/{id}?handler=Answer&questionId={questionId}",
            new Dictionary<string, string> { ["Answer"] = "Garden waste collections restart on 2 March." });
        answer.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var reply = await factory.WithDbAsync(org.Id, db => db.Messages.SingleAsync(m => m.ConversationId == question.ConversationId && m.Direction == MessageDirection.Outbound));
        reply.Text.ShouldBe("Garden waste collections restart on 2 March.");
        reply.ChannelId.ShouldBe(mastodon, "answered on the citizen's own channel");
        (await factory.WithDbAsync(org.Id, db => db.OutboundMessages.CountAsync(o => o.MessageId == reply.Id))).ShouldBe(1);

        board = await InboxTestData.GetPageAsync(comms, $"/comms/qa/{id}");
        board.QuerySelector($"#question-{questionId} [data-answer-text]")!.TextContent.ShouldBe("Garden waste collections restart on 2 March.");
        var missingTopic = await StaffClient.PostFormAsync(comms, $"/comms/qa/{id}", $"/comms/qa/{id}?handler=Faq&questionId={questionId}", new Dictionary<string, string>
        {
            ["FaqQuestion"] = "When do garden waste collections restart?", ["FaqAnswer"] = "On 2 March.", ["FaqTopic"] = "",
        });
        (await InboxTestData.ParseAsync(await missingTopic.Content.ReadAsStringAsync())).QuerySelector($".govuk-error-summary a[href='#faq-topic-{questionId}']").ShouldNotBeNull();
        var faq = await StaffClient.PostFormAsync(comms, $"/comms/qa/{id}", $"/comms/qa/{id}?handler=Faq&questionId={questionId}", new Dictionary<string, string>
        {
            ["FaqQuestion"] = "When do garden waste collections restart?", ["FaqAnswer"] = "Garden waste collections restart on 2 March.", ["FaqTopic"] = "Bins and recycling",
            ["TellAsker"] = "true",
        });
        faq.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var entry = await factory.WithDbAsync(org.Id, db => db.FaqEntries.SingleAsync(e => e.SourceQuestionId == questionId));
        var citizen = StaffClient.Anonymous(factory);
        var page = await InboxTestData.GetPageAsync(citizen, "/faq?q=garden+collection");
        page.QuerySelector($"#faq-{entry.Id}")!.TextContent.ShouldContain("Garden waste collections restart on 2 March.");
        (await InboxTestData.GetPageAsync(citizen, "/faq?q=parking")).QuerySelector($"#faq-{entry.Id}").ShouldBeNull();
        (await InboxTestData.GetPageAsync(citizen, "/faq?topic=bins+and+recycling")).QuerySelector($"#faq-{entry.Id}").ShouldNotBeNull();
        var told = await factory.WithDbAsync(org.Id, db => db.Messages.Where(m => m.ConversationId == question.ConversationId && m.Direction == MessageDirection.Outbound)
            .OrderBy(m => m.Id).Select(m => m.Text).ToListAsync());
        told.Count.ShouldBe(2);
        told[1].ShouldBe($"Thanks for your question. We've added it to our FAQ: http://localhost/faq#faq-{entry.Id}");
        var again = await StaffClient.PostFormAsync(comms, $"/comms/qa/{id}", $"/comms/qa/{id}?handler=Faq&questionId={questionId}", new Dictionary<string, string>
        {
            ["FaqQuestion"] = "Again", ["FaqAnswer"] = "Again", ["FaqTopic"] = "Again", ["TellAsker"] = "true",
        });
        (await InboxTestData.ParseAsync(await again.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("already in the FAQ");
        (await factory.WithDbAsync(org.Id, db => db.Messages.CountAsync(m => m.ConversationId == question.ConversationId && m.Direction == MessageDirection.Outbound))).ShouldBe(2);
        (await factory.AuditAsync(org.Id, "faq.entry-published")).ShouldContain(a => a.TargetId == entry.Id.ToString());
        (await factory.AuditAsync(org.Id, "faq.asker-told")).ShouldContain(a => a.TargetId == questionId.ToString());
        (await factory.AuditAsync(org.Id, "qa.session-created")).ShouldContain(a => a.TargetId == id.ToString());
    }

    [Fact]
    public async Task Unpublished_entries_stay_off_the_public_page_and_answers_are_encoded()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        (await StaffClient.PostFormAsync(comms, "/comms/faq", "/comms/faq", new Dictionary<string, string>
        {
            ["FaqQuestion"] = "Can I pay council tax online?", ["FaqAnswer"] = "Yes <img src=x onerror=alert(1)>", ["FaqTopic"] = "Council tax", ["Published"] = "true",
        })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var entry = await factory.WithDbAsync(org.Id, db => db.FaqEntries.SingleAsync(e => e.Question == "Can I pay council tax online?"));
        var html = await (await StaffClient.Anonymous(factory).GetAsync("/faq")).Content.ReadAsStringAsync();
        html.ShouldContain("Yes &lt;img src=x onerror=alert(1)&gt;");
        (await StaffClient.PostFormAsync(comms, "/comms/faq", $"/comms/faq?entryId={entry.Id}", new Dictionary<string, string>
        {
            ["FaqQuestion"] = entry.Question, ["FaqAnswer"] = entry.Answer, ["FaqTopic"] = entry.Topic,
        })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.GetPageAsync(StaffClient.Anonymous(factory), "/faq")).QuerySelector($"#faq-{entry.Id}").ShouldBeNull();
        (await factory.AuditAsync(org.Id, "faq.entry-updated")).ShouldContain(a => a.TargetId == entry.Id.ToString() && a.After!.Contains("\"isPublished\":false"));
        var analyst = await StaffClient.SignInAsync(factory, org, Roles.Analyst);
        (await analyst.GetAsync("/comms/faq")).Headers.Location!.ToString().ShouldContain("access-denied");
    }
}
