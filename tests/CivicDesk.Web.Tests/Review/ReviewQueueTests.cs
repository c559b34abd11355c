using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Review;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Review;

/// <summary>The trainee review queue end to end over HTTP: a trainee's reply waits, is returned with a note, resubmitted, approved with edits.</summary>
public sealed class ReviewQueueTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private async Task<(TestOrganisation Org, HttpClient Trainee, HttpClient Mentor)> ArrangeAsync(string mentorRole = Roles.TeamLead)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await InboxTestData.WithDbAsync(factory, org.Id, async db =>
        {
            var trainee = await db.Users.SingleAsync(u => u.Id == org.Staff[Roles.Trainee].Id);
            trainee.MentorId = org.Staff[mentorRole].Id;
            return await db.SaveChangesAsync();
        });
        return (org, await StaffClient.SignInAsync(factory, org, Roles.Trainee), await StaffClient.SignInAsync(factory, org, mentorRole));
    }

    private static Task<HttpResponseMessage> ReviewPostAsync(HttpClient client, long id, string handler, Dictionary<string, string> form) =>
        StaffClient.PostFormAsync(client, "/review", $"/review/{id}?handler={handler}", form);

    [Fact]
    public async Task A_trainees_reply_waits_for_review_then_goes_out_with_the_mentors_edits_and_every_step_is_audited()
    {
        var (org, trainee, mentor) = await ArrangeAsync();
        var conversation = await InboxTestData.ConversationAsync(factory, org, "The bin was not collected on Elm Street");

        var reply = await InboxTestData.PostAsync(trainee, conversation.Id, "Reply", new Dictionary<string, string> { ["ReplyText"] = "Sorry about that, we will come tomorow." });
        reply.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await trainee.GetStringAsync(reply.Headers.Location)).ShouldContain("Your reply is waiting for review by your mentor");

        var item = await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.SingleAsync(r => r.SubjectId == conversation.Id.ToString()));
        item.Status.ShouldBe(ReviewStatus.Waiting);
        item.Kind.ShouldBe("reply");
        item.MentorId.ShouldBe(org.Staff[Roles.TeamLead].Id);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.OutboundMessages.CountAsync(o => o.ConversationId == conversation.Id))).ShouldBe(0);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.Messages.CountAsync(m => m.ConversationId == conversation.Id && m.Direction == MessageDirection.Outbound))).ShouldBe(0);

        // The mentor sees it waiting for them; returns it with a coaching note.
        var queue = await InboxTestData.GetPageAsync(mentor, "/review");
        queue.QuerySelector($"#waiting-for-me [data-review-id='{item.Id}']").ShouldNotBeNull();
        (await ReviewPostAsync(mentor, item.Id, "Return", new() { ["CoachingNote"] = "Check the spelling and give the collection day." })).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // The trainee sees the note, edits and resubmits.
        var mine = await InboxTestData.GetPageAsync(trainee, "/review");
        mine.QuerySelector($"#my-items [data-review-id='{item.Id}']")!.TextContent.ShouldContain("Check the spelling and give the collection day.");
        var page = await InboxTestData.GetPageAsync(trainee, $"/review/{item.Id}");
        page.QuerySelector("#coaching-note")!.TextContent.ShouldContain("Check the spelling");
        (await ReviewPostAsync(trainee, item.Id, "Resubmit", new() { ["Text"] = "Sorry about that, we will collect it tomorrow." })).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // The mentor approves with an edit: the reply queued is the edited text, in the trainee's name.
        (await ReviewPostAsync(mentor, item.Id, "ApproveEdited", new() { ["EditedText"] = "Sorry about that, we will collect it on Thursday." })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var sent = await InboxTestData.WithDbAsync(factory, org.Id, db => db.Messages.SingleAsync(m => m.ConversationId == conversation.Id && m.Direction == MessageDirection.Outbound));
        sent.Text.ShouldBe("Sorry about that, we will collect it on Thursday.");
        sent.SentByStaffId.ShouldBe(org.Staff[Roles.Trainee].Id);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.OutboundMessages.CountAsync(o => o.MessageId == sent.Id))).ShouldBe(1);

        var decided = await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.SingleAsync(r => r.Id == item.Id));
        decided.Status.ShouldBe(ReviewStatus.Approved);
        decided.Round.ShouldBe(2);
        decided.SubmittedText.ShouldBe("Sorry about that, we will collect it tomorrow.");
        decided.ApprovedText.ShouldBe("Sorry about that, we will collect it on Thursday.");

        // The diff is kept and shown to the trainee.
        var done = await InboxTestData.GetPageAsync(trainee, $"/review/{item.Id}");
        done.QuerySelector("#review-diff del")!.TextContent.ShouldContain("tomorrow");
        done.QuerySelector("#review-diff ins")!.TextContent.ShouldContain("on Thursday");

        var actions = await InboxTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.Where(a => a.TargetType == "ReviewItem" && a.TargetId == item.Id.ToString())
            .OrderBy(a => a.Sequence).Select(a => a.Action).ToListAsync());
        actions.ShouldBe(["review.submitted", "review.returned", "review.resubmitted", "review.approved-with-edits"]);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.SingleAsync(a => a.Action == "reply.queued" && a.TargetId == sent.Id.ToString())))
            .After!.ShouldContain("approved by");
    }

    [Fact]
    public async Task Only_the_mentor_or_a_lead_decides_and_a_trainee_sees_only_their_own_items()
    {
        var (org, trainee, _) = await ArrangeAsync(mentorRole: Roles.Comms);
        var conversation = await InboxTestData.ConversationAsync(factory, org);
        await InboxTestData.PostAsync(trainee, conversation.Id, "Reply", new Dictionary<string, string> { ["ReplyText"] = "We are looking into it." });
        var item = await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.SingleAsync(r => r.SubjectId == conversation.Id.ToString()));

        // An agent who is not the mentor may not approve; nor may the trainee approve their own.
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        var refused = await ReviewPostAsync(agent, item.Id, "Approve", []);
        refused.Headers.Location?.ToString().ShouldContain("/account/access-denied");
        var own = await ReviewPostAsync(trainee, item.Id, "Approve", []);
        own.Headers.Location?.ToString().ShouldContain("/account/access-denied");
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.SingleAsync(r => r.Id == item.Id))).Status.ShouldBe(ReviewStatus.Waiting);

        // A return needs a note.
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var noNote = await ReviewPostAsync(comms, item.Id, "Return", new() { ["CoachingNote"] = "  " });
        noNote.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await noNote.Content.ReadAsStringAsync()).ShouldContain("Enter a coaching note");

        // A team lead may approve for an absent mentor; approving twice is refused.
        var lead = await StaffClient.SignInAsync(factory, org, Roles.TeamLead);
        (await ReviewPostAsync(lead, item.Id, "Approve", [])).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var twice = await ReviewPostAsync(comms, item.Id, "Approve", []);
        (await twice.Content.ReadAsStringAsync()).ShouldContain("already been approved");
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.OutboundMessages.CountAsync(o => o.ConversationId == conversation.Id))).ShouldBe(1);

        // Another trainee's item is not found for a trainee.
        var other = await InboxTestData.WithDbAsync(factory, org.Id, async db =>
        {
            var row = new ReviewItem
            {
                OrganisationId = org.Id, Kind = "reply", SubjectId = conversation.Id.ToString(), Title = "Someone else's", AuthorId = org.Staff[Roles.Agent].Id,
                AuthorName = "Agent", SubmittedText = "x", SubmittedAt = DateTime.UtcNow,
            };
            db.ReviewItems.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        });
        (await trainee.GetAsync($"/review/{other}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Staff_who_are_not_trainees_reply_directly()
    {
        var (org, _, _) = await ArrangeAsync();
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        var conversation = await InboxTestData.ConversationAsync(factory, org);
        (await InboxTestData.PostAsync(agent, conversation.Id, "Reply", new Dictionary<string, string> { ["ReplyText"] = "Done." })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.OutboundMessages.CountAsync(o => o.ConversationId == conversation.Id))).ShouldBe(1);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task An_admin_names_a_trainees_mentor_and_it_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var page = await InboxTestData.GetPageAsync(admin, "/admin/trainees");
        page.QuerySelector($"[data-trainee-id='{org.Staff[Roles.Trainee].Id}']").ShouldNotBeNull();
        // A trainee cannot mentor a trainee: only non-trainees are offered.
        page.QuerySelectorAll($"option[value='{org.Staff[Roles.Trainee].Id}']").Length.ShouldBe(0);

        var saved = await StaffClient.PostFormAsync(admin, "/admin/trainees", "/admin/trainees?handler=Mentor",
            new Dictionary<string, string> { ["traineeId"] = org.Staff[Roles.Trainee].Id, ["mentorId"] = org.Staff[Roles.Comms].Id });
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.Users.Where(u => u.Id == org.Staff[Roles.Trainee].Id).Select(u => u.MentorId).SingleAsync()))
            .ShouldBe(org.Staff[Roles.Comms].Id);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.CountAsync(a => a.Action == "staff.mentor-set"))).ShouldBe(1);

        var bad = await StaffClient.PostFormAsync(admin, "/admin/trainees", "/admin/trainees?handler=Mentor",
            new Dictionary<string, string> { ["traineeId"] = org.Staff[Roles.Trainee].Id, ["mentorId"] = org.Staff[Roles.Trainee].Id });
        (await bad.Content.ReadAsStringAsync()).ShouldContain("Select a colleague who is not a trainee");
    }

    [Fact]
    public void The_diff_marks_removed_and_added_words()
    {
        var diff = ReviewDiff.Compare("We will come tomorow.", "We will come on Thursday.");
        string.Concat(diff.Where(d => d.Kind != DiffKind.Added).Select(d => d.Text)).ShouldBe("We will come tomorow.");
        string.Concat(diff.Where(d => d.Kind != DiffKind.Removed).Select(d => d.Text)).ShouldBe("We will come on Thursday.");
        diff.ShouldContain(d => d.Kind == DiffKind.Removed && d.Text.Contains("tomorow"));
        diff.ShouldContain(d => d.Kind == DiffKind.Added && d.Text.Contains("Thursday"));
    }
}
