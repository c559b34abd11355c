using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Public;

public sealed class StatusPageTests : IClassFixture<PublicSiteFactory>
{
    private readonly PublicSiteFactory _factory;

    public StatusPageTests(PublicSiteFactory factory) => _factory = factory;

    [Fact]
    public async Task Empty_reference_shows_the_error_summary()
    {
        await _factory.OrganisationAsync();
        var client = StaffClient.Anonymous(_factory);
        var response = await StaffClient.PostFormAsync(client, "/status", "/status", new Dictionary<string, string> { ["Reference"] = "  " });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = Citizen.Parse(await response.Content.ReadAsStringAsync());
        html.Title!.ShouldStartWith("Error: ");
        html.QuerySelector(".govuk-error-summary a[href='#reference']")!.TextContent.ShouldBe("Enter your reference number");
        html.QuerySelector("#reference-error")!.TextContent.ShouldContain("Enter your reference number");
        html.QuerySelector("#reference")!.ClassList.ShouldContain("govuk-input--error");
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("CD-12345")]
    [InlineData("CD-UUUUUU")]
    public async Task Reference_in_the_wrong_format_shows_the_error_summary(string reference)
    {
        await _factory.OrganisationAsync();
        var client = StaffClient.Anonymous(_factory);
        var response = await StaffClient.PostFormAsync(client, "/status", "/status", new Dictionary<string, string> { ["Reference"] = reference });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = Citizen.Parse(await response.Content.ReadAsStringAsync());
        html.QuerySelector(".govuk-error-summary a[href='#reference']")!.TextContent.ShouldBe("Enter a reference number in the correct format, like CD-7K3F9Q");
        html.QuerySelector("#reference")!.GetAttribute("value").ShouldBe(reference);
    }

    [Fact]
    public async Task A_known_reference_in_any_case_or_spacing_goes_to_its_status_page()
    {
        await _factory.OrganisationAsync();
        var reference = await Citizen.For(_factory).SendValidReportAsync("Broken bollard on Queen Street");
        var client = StaffClient.Anonymous(_factory);

        var response = await StaffClient.PostFormAsync(client, "/status", "/status",
            new Dictionary<string, string> { ["Reference"] = " " + reference.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal) });

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/status/" + reference);
    }

    [Fact]
    public async Task Unknown_reference_is_a_friendly_not_found()
    {
        await _factory.OrganisationAsync();
        var (response, html) = await Citizen.For(_factory).GetAsync("/status/CD-ZZZZZZ");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        html.QuerySelector("h1")!.TextContent.ShouldBe("We cannot find that report");
        html.QuerySelector("a[href='/status']").ShouldNotBeNull();
    }

    [Fact]
    public async Task Another_organisations_reference_is_not_found()
    {
        await _factory.OrganisationAsync();
        var other = await TestOrganisation.CreateAsync(_factory);
        var pipeline = _factory.Services.GetRequiredService<CivicDesk.Web.Features.Ingestion.IngestPipeline>();
        var outcome = await pipeline.SubmitAsync(new CivicDesk.Web.Features.Ingestion.IngestBatch(other.Id, other.WebFormChannelId, ChannelKind.WebForm,
            [new CivicDesk.Web.Features.Ingestion.InboundPost("other-1", "Another council's report", "web-form:other")]), default);

        var (response, _) = await Citizen.For(_factory).GetAsync("/status/" + outcome.Items[0].ConversationReference);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Replies_show_only_once_sent_and_internal_notes_staff_names_and_the_report_never_show()
    {
        var org = await _factory.OrganisationAsync();
        var citizen = Citizen.For(_factory);
        var reference = await citizen.SendValidReportAsync("My private description of the broken street light");
        long outboxId;
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var conversation = await db.Conversations.SingleAsync(c => c.Reference == reference);
            var now = DateTime.UtcNow;
            var reply = new Message
            {
                OrganisationId = org.Id, ChannelId = conversation.ChannelId, ConversationId = conversation.Id, Direction = MessageDirection.Outbound,
                ExternalId = "reply-" + Guid.NewGuid().ToString("N"), AuthorHandle = "council", AuthorName = "Agent Smith-Staffname",
                Text = "<script>alert('x')</script> We have fixed the light.", CreatedAt = now, ReceivedAt = now, SentByStaffId = org.Staff["Agent"].Id,
            };
            db.Messages.Add(reply);
            db.InternalNotes.Add(new InternalNote
            {
                OrganisationId = org.Id, ConversationId = conversation.Id, AuthorId = org.Staff["Agent"].Id, AuthorName = "Agent Smith-Staffname",
                Text = "Internal: resident is a known complainer", CreatedAt = now,
            });
            await db.SaveChangesAsync();
            var outbox = new OutboundMessage
            {
                OrganisationId = org.Id, ChannelId = conversation.ChannelId, ConversationId = conversation.Id, MessageId = reply.Id,
                Status = OutboundStatus.Pending, QueuedAt = now, NextAttemptAt = now,
            };
            db.OutboundMessages.Add(outbox);
            conversation.MoveTo(ConversationStatus.WaitingOnCitizen, now);
            await db.SaveChangesAsync();
            outboxId = outbox.Id;
        }

        var (_, pending) = await citizen.GetAsync("/status/" + reference);
        pending.QuerySelector("#no-replies").ShouldNotBeNull();
        pending.Body!.TextContent.ShouldNotContain("We have fixed the light");

        await using (var scope = _factory.ScopeFor(org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().OutboundMessages.Where(o => o.Id == outboxId)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OutboundStatus.Sent).SetProperty(o => o.SentAt, DateTime.UtcNow));
        }

        var (response, sent) = await citizen.GetAsync("/status/" + reference);
        var source = await response.Content.ReadAsStringAsync();
        sent.QuerySelector("#status-status")!.TextContent.Trim().ShouldBe("We have replied");
        var replies = sent.QuerySelectorAll("#replies li");
        replies.Length.ShouldBe(1);
        replies[0].TextContent.ShouldContain("<script>alert('x')</script> We have fixed the light.");
        replies[0].TextContent.ShouldContain($"Test council {org.Slug} replied on");
        source.ShouldNotContain("<script>alert");
        source.ShouldContain("&lt;script&gt;");
        source.ShouldNotContain("known complainer");
        source.ShouldNotContain("Smith-Staffname");
        source.ShouldNotContain("My private description");
    }

    [Theory]
    [InlineData(ConversationStatus.New, "Received")]
    [InlineData(ConversationStatus.Open, "Being looked at")]
    [InlineData(ConversationStatus.WaitingOnCitizen, "We have replied")]
    [InlineData(ConversationStatus.Resolved, "Resolved")]
    [InlineData(ConversationStatus.Closed, "Closed")]
    public void Statuses_are_told_in_plain_words(ConversationStatus status, string words) =>
        StatusDetailModel.PlainStatus(status).ShouldBe(words);
}
