using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Public;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Participation;

/// <summary>
/// Email updates for web-form reporters (issue 10, scope 1), over real SMTP on loopback: opt in on the report form,
/// get a mail with the status link and an unsubscribe link when staff change the status publicly or reply, and none after unsubscribing.
/// </summary>
public sealed class ReporterEmailTests(ParticipationFactory site) : IClassFixture<ParticipationFactory>
{
    private async Task DeliverAsync() => await site.Services.GetRequiredService<OutboundDispatcher>().DeliverDueAsync(CancellationToken.None);

    private async Task<(string Reference, string CaseReference, long ConversationId)> ReportAsync(string email, bool updates)
    {
        var citizen = Citizen.For(site);
        var fields = new Dictionary<string, string> { ["Input.Description"] = "The drain outside 4 Mill Lane is blocked and the road floods", ["Input.Email"] = email };
        if (updates) fields["Input.EmailUpdates"] = "true";
        var sent = await citizen.SendReportAsync(fields);
        sent.StatusCode.ShouldBe(HttpStatusCode.Redirect, site.Errors.ToString());
        var reference = Uri.UnescapeDataString(sent.Headers.Location!.OriginalString["/report/confirmation/".Length..]);
        var (caseReference, conversationId) = await site.WithDbAsync(async db =>
        {
            var conversation = await db.Conversations.SingleAsync(c => c.Reference == reference);
            var caseId = await db.CaseReporters.Where(r => r.ConversationId == conversation.Id).Select(r => r.CaseId).SingleAsync();
            return (await db.Cases.Where(c => c.Id == caseId).Select(c => c.Reference).SingleAsync(), conversation.Id);
        });
        return (reference, caseReference, conversationId);
    }

    [Fact]
    public async Task A_reporter_who_opted_in_is_emailed_on_a_public_status_change_and_a_staff_reply_and_can_unsubscribe()
    {
        var email = $"reporter-{Guid.NewGuid():N}@example.org";
        var (reference, caseReference, conversationId) = await ReportAsync(email, updates: true);
        var staff = await StaffClient.SignInAsync(site, site.Organisation, Roles.Admin);

        var changed = await StaffClient.PostFormAsync(staff, $"/cases/{caseReference}", $"/cases/{caseReference}?handler=Status",
            new Dictionary<string, string> { ["NewStatus"] = "InProgress", ["Visibility"] = "public", ["UpdateText"] = "A crew is clearing the drain this week." });
        changed.StatusCode.ShouldBe(HttpStatusCode.Redirect, site.Errors.ToString());
        await DeliverAsync();
        var first = await site.Smtp.WaitForMailAsync(email);
        first.Subject.ShouldBe($"Update on your report {caseReference}");
        first.TextBody!.ShouldContain("A crew is clearing the drain this week.");
        var status = TestSmtpServer.LinkIn(first, "/status/");
        status.ShouldEndWith("/status/" + reference);
        (await StaffClient.Anonymous(site).GetAsync(new Uri(status).PathAndQuery)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var unsubscribe = TestSmtpServer.LinkIn(first, "/report/unsubscribe?t=");
        first.Headers["List-Unsubscribe"]!.ShouldContain(unsubscribe);

        // An internal note is not mailed; a staff reply in the inbox is.
        await StaffClient.PostFormAsync(staff, $"/cases/{caseReference}", $"/cases/{caseReference}?handler=Update",
            new Dictionary<string, string> { ["UpdateText"] = "Crew booked", ["Visibility"] = "internal" });
        var reply = await StaffClient.PostFormAsync(staff, $"/inbox/conversation/{conversationId}", $"/inbox/conversation/{conversationId}?handler=Reply",
            new Dictionary<string, string> { ["ReplyText"] = "Thank you, the crew found a collapsed pipe." });
        reply.StatusCode.ShouldBe(HttpStatusCode.Redirect, site.Errors.ToString());
        await DeliverAsync();
        await site.Smtp.WaitForMailAsync(email, m => m.TextBody!.Contains("collapsed pipe", StringComparison.Ordinal));
        site.Smtp.MailsTo(email).Count.ShouldBe(2);

        // One click (RFC 8058: a POST with no antiforgery token) stops them.
        var anonymous = StaffClient.Anonymous(site);
        (await anonymous.GetAsync(new Uri(unsubscribe).PathAndQuery)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var t = Uri.UnescapeDataString(new Uri(unsubscribe).Query["?t=".Length..]);
        (await anonymous.PostAsync("/report/unsubscribe", new FormUrlEncodedContent(new Dictionary<string, string> { ["t"] = t }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await StaffClient.PostFormAsync(staff, $"/cases/{caseReference}", $"/cases/{caseReference}?handler=Update",
            new Dictionary<string, string> { ["UpdateText"] = "The pipe is repaired.", ["Visibility"] = "public" });
        await DeliverAsync();
        await Task.Delay(500);
        site.Smtp.MailsTo(email).Count.ShouldBe(2);
        (await anonymous.PostAsync("/report/unsubscribe", new FormUrlEncodedContent(new Dictionary<string, string> { ["t"] = "not-a-token" }))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Without_the_box_ticked_nothing_is_mailed_and_ticking_it_needs_an_address()
    {
        var email = $"quiet-{Guid.NewGuid():N}@example.org";
        var (_, caseReference, _) = await ReportAsync(email, updates: false);
        (await site.WithDbAsync(db => db.CaseEmailSubscriptions.CountAsync(s => s.Email == email))).ShouldBe(0);
        var staff = await StaffClient.SignInAsync(site, site.Organisation, Roles.Admin);
        await StaffClient.PostFormAsync(staff, $"/cases/{caseReference}", $"/cases/{caseReference}?handler=Update",
            new Dictionary<string, string> { ["UpdateText"] = "Logged.", ["Visibility"] = "public" });
        await DeliverAsync();
        await Task.Delay(500);
        site.Smtp.MailsTo(email).Count.ShouldBe(0);

        var refused = await Citizen.For(site).SendReportAsync(new Dictionary<string, string> { ["Input.Description"] = "Pothole", ["Input.EmailUpdates"] = "true" });
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("Enter your email address to get updates by email");
    }
}
