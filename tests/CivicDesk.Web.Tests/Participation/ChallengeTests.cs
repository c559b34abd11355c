using System.Net;
using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Participation;

public sealed class ChallengeTests(ParticipationFactory site) : IClassFixture<ParticipationFactory>
{
    private static Dictionary<string, string> None => [];

    [Fact]
    public async Task Concurrent_supports_from_one_citizen_count_once_and_a_second_citizen_counts_too()
    {
        var challenge = await site.ChallengeAsync();
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        var idea = await ParticipationFactory.ProposeAsync(ada, challenge, "Scrap the paper parking permit form", "Let people renew online.");
        var page = $"/participate/{challenge.Slug}/ideas/{idea}";
        var token = await StaffClient.AntiforgeryTokenAsync(ada, page);

        var clicks = Enumerable.Range(0, 20).Select(_ => ada.PostAsync(page + "?handler=Support",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token })));
        var responses = await Task.WhenAll(clicks);
        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Redirect);
        (await site.WithDbAsync(db => db.IdeaSupports.CountAsync(s => s.IdeaId == idea))).ShouldBe(1);

        var bo = await site.CitizenAsync($"bo-{Guid.NewGuid():N}@example.org", "Bo");
        (await StaffClient.PostFormAsync(bo, page, page + "?handler=Support", None)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await site.WithDbAsync(db => db.IdeaSupports.CountAsync(s => s.IdeaId == idea))).ShouldBe(2);
        (await bo.GetStringAsync(page)).ShouldContain("<strong>2</strong> supporters");
    }

    [Fact]
    public async Task Similar_ideas_are_offered_while_typing_a_title()
    {
        var challenge = await site.ChallengeAsync();
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        await ParticipationFactory.ProposeAsync(ada, challenge, "Let residents renew parking permits online", "The paper parking permit form takes weeks.");
        await ParticipationFactory.ProposeAsync(ada, challenge, "Fewer questions on the bulky waste form", "Nobody knows the weight of a sofa.");

        var html = await ada.GetStringAsync($"/participate/{challenge.Slug}/propose?handler=Similar&title=" + Uri.EscapeDataString("online parking permit renewal"));
        html.ShouldContain("Let residents renew parking permits online");
        html.ShouldNotContain("bulky waste");
        html.ShouldContain("Support this instead");
        (await ada.GetStringAsync($"/participate/{challenge.Slug}/propose?handler=Similar&title=zebra")).ShouldNotContain("Support this instead");
    }

    [Fact]
    public async Task Comments_are_one_level_deep()
    {
        var challenge = await site.ChallengeAsync();
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        var idea = await ParticipationFactory.ProposeAsync(ada, challenge, "Online permits", "Renew online.");
        var page = $"/participate/{challenge.Slug}/ideas/{idea}";
        (await StaffClient.PostFormAsync(ada, page, page + "?handler=Comment", new Dictionary<string, string> { ["CommentText"] = "Yes please" })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var top = await site.WithDbAsync(db => db.IdeaComments.Where(c => c.IdeaId == idea).Select(c => c.Id).SingleAsync());
        (await StaffClient.PostFormAsync(ada, page, page + "?handler=Comment", new Dictionary<string, string> { ["CommentText"] = "A reply", ["ParentId"] = top.ToString() }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var reply = await site.WithDbAsync(db => db.IdeaComments.Where(c => c.ParentCommentId == top).Select(c => c.Id).SingleAsync());

        var deeper = await StaffClient.PostFormAsync(ada, page, page + "?handler=Comment", new Dictionary<string, string> { ["CommentText"] = "Too deep", ["ParentId"] = reply.ToString() });
        deeper.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await deeper.Content.ReadAsStringAsync()).ShouldContain("You can reply only to a comment on this idea");
        (await site.WithDbAsync(db => db.IdeaComments.CountAsync(c => c.IdeaId == idea))).ShouldBe(2);
    }

    [Fact]
    public async Task Proposing_needs_a_citizen_account()
    {
        var challenge = await site.ChallengeAsync();
        var anonymous = StaffClient.Anonymous(site);
        var r = await anonymous.GetAsync($"/participate/{challenge.Slug}/propose");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.OriginalString.ShouldStartWith("/participate/sign-in?returnUrl=");
    }

    [Fact]
    public async Task A_moderator_hides_a_comment_with_a_reason_and_the_owner_team_cannot_moderate()
    {
        var challenge = await site.ChallengeAsync(ownerTeam: "Highways");
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        var idea = await ParticipationFactory.ProposeAsync(ada, challenge, "Online permits", "Renew online.");
        var page = $"/participate/{challenge.Slug}/ideas/{idea}";
        await StaffClient.PostFormAsync(ada, page, page + "?handler=Comment", new Dictionary<string, string> { ["CommentText"] = "Call me on 07700 900123" });
        var comment = await site.WithDbAsync(db => db.IdeaComments.Where(c => c.IdeaId == idea).Select(c => c.Id).SingleAsync());
        await StaffClient.PostFormAsync(ada, page, page + "?handler=Report", new Dictionary<string, string> { ["ReportCommentId"] = comment.ToString(), ["ReportReason"] = "personal-data" });

        // Every test staff member is in the first team (Customer Services): move the team lead into Highways, the owner.
        await site.WithDbAsync(async db =>
        {
            db.TeamMemberships.Add(new TeamMembership { OrganisationId = site.Organisation.Id, StaffMemberId = site.Organisation.Staff[Roles.TeamLead].Id, TeamId = site.Organisation.Teams["Highways"] });
            return await db.SaveChangesAsync();
        });
        var owner = await StaffClient.SignInAsync(site, site.Organisation, Roles.TeamLead);
        var queue = await owner.GetStringAsync("/participation/moderation");
        queue.ShouldContain("Call me on 07700 900123");
        queue.ShouldContain("Your team owns this challenge");
        var refused = await StaffClient.PostFormAsync(owner, "/participation/moderation", "/participation/moderation?handler=Hide",
            new Dictionary<string, string> { ["Kind"] = "comment", ["ItemId"] = comment.ToString(), ["Reason"] = "personal-data" });
        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var moderator = await StaffClient.SignInAsync(site, site.Organisation, Roles.Agent);
        var hidden = await StaffClient.PostFormAsync(moderator, "/participation/moderation", "/participation/moderation?handler=Hide",
            new Dictionary<string, string> { ["Kind"] = "comment", ["ItemId"] = comment.ToString(), ["Reason"] = "personal-data" });
        hidden.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var publicPage = await StaffClient.Anonymous(site).GetStringAsync(page);
        publicPage.ShouldNotContain("07700 900123");
        publicPage.ShouldContain("A moderator hid this comment because it broke our house rule");
        publicPage.ShouldContain("Personal information");
        (await site.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "comment.hidden" && e.TargetId == comment.ToString()))).ShouldBe(1);
        (await site.WithDbAsync(db => db.ContentReports.CountAsync(r => r.CommentId == comment && r.ResolvedAt == null))).ShouldBe(0);
    }

    [Fact]
    public async Task Pre_moderated_ideas_wait_for_approval()
    {
        var challenge = await site.ChallengeAsync(moderation: ModerationMode.Pre);
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        var idea = await ParticipationFactory.ProposeAsync(ada, challenge, "Waiting idea " + challenge.Slug, "Text");
        (await StaffClient.Anonymous(site).GetStringAsync($"/participate/{challenge.Slug}")).ShouldNotContain("Waiting idea");
        (await ada.GetStringAsync($"/participate/{challenge.Slug}")).ShouldContain("Waiting for a moderator");

        var moderator = await StaffClient.SignInAsync(site, site.Organisation, Roles.Agent);
        (await StaffClient.PostFormAsync(moderator, "/participation/moderation", "/participation/moderation?handler=Approve",
            new Dictionary<string, string> { ["Kind"] = "idea", ["ItemId"] = idea.ToString() })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await StaffClient.Anonymous(site).GetStringAsync($"/participate/{challenge.Slug}")).ShouldContain("Waiting idea");
    }

    [Fact]
    public async Task Publishing_the_response_emails_every_participant_with_an_unsubscribe_link()
    {
        var challenge = await site.ChallengeAsync();
        var adaEmail = $"ada-{Guid.NewGuid():N}@example.org";
        var boEmail = $"bo-{Guid.NewGuid():N}@example.org";
        var ada = await site.CitizenAsync(adaEmail, "Ada");
        var bo = await site.CitizenAsync(boEmail, "Bo");
        var idea = await ParticipationFactory.ProposeAsync(ada, challenge, "Online permits", "Renew online.");
        var page = $"/participate/{challenge.Slug}/ideas/{idea}";
        await StaffClient.PostFormAsync(bo, page, page + "?handler=Support", None);

        var staff = await StaffClient.SignInAsync(site, site.Organisation, Roles.Comms);
        var admin = $"/participation/challenges/{challenge.Id}";
        await StaffClient.PostFormAsync(staff, admin, admin + "?handler=Respond", new Dictionary<string, string> { ["IdeaId"] = idea.ToString(), ["Text"] = "Permits go online in April." });
        var published = await StaffClient.PostFormAsync(staff, admin, admin + "?handler=Publish", new Dictionary<string, string> { ["Text"] = "## Thank you\nWe read every idea." });
        published.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await staff.GetStringAsync(admin)).ShouldContain("2 participants were emailed");

        foreach (var email in new[] { adaEmail, boEmail })
        {
            var mail = await site.Smtp.WaitForMailAsync(email, m => m.Subject!.StartsWith("You said, we did", StringComparison.Ordinal));
            TestSmtpServer.LinkIn(mail, "/response").ShouldEndWith($"/participate/{challenge.Slug}/response");
            mail.Headers["List-Unsubscribe"].ShouldNotBeNull();
        }

        var response = await StaffClient.Anonymous(site).GetStringAsync($"/participate/{challenge.Slug}/response");
        response.ShouldContain("Permits go online in April.");
        response.ShouldContain("<h2 class=\"govuk-heading-m\">Thank you</h2>");

        // Unsubscribe (one click, as a mail client does it): the next publication skips Bo.
        var boMail = await site.Smtp.WaitForMailAsync(boEmail, m => m.Subject!.StartsWith("You said", StringComparison.Ordinal));
        var unsubscribe = new Uri(TestSmtpServer.LinkIn(boMail, "/participate/unsubscribe"));
        var t = System.Web.HttpUtility.ParseQueryString(unsubscribe.Query)["t"]!;
        (await StaffClient.Anonymous(site).PostAsync("/participate/unsubscribe", new FormUrlEncodedContent(new Dictionary<string, string> { ["t"] = t })))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await site.WithDbAsync(db => db.CitizenAccounts.Where(a => a.Email == boEmail).Select(a => a.NotificationsOff).SingleAsync())).ShouldBeTrue();
    }

    [Fact]
    public async Task Background_markdown_is_sanitised()
    {
        var challenge = await site.ChallengeAsync(background: "## Why\n<script>alert(1)</script>\n[click](javascript:alert(2)) and [our plan](https://example.org/plan)");
        var html = await StaffClient.Anonymous(site).GetStringAsync($"/participate/{challenge.Slug}");
        html.ShouldContain("<h2 class=\"govuk-heading-m\">Why</h2>");
        html.ShouldNotContain("<script>alert(1)");
        html.ShouldNotContain("javascript:alert");
        html.ShouldContain("href=\"https://example.org/plan\"");
    }

    [Fact]
    public async Task Open_data_has_ideas_comments_supports_and_responses_without_personal_data()
    {
        var challenge = await site.ChallengeAsync();
        var email = $"ada-{Guid.NewGuid():N}@example.org";
        var ada = await site.CitizenAsync(email, "Ada Lovelace");
        var idea = await ParticipationFactory.ProposeAsync(ada, challenge, "Online permits", "Renew online.", 51.90012345, -2.07801234);
        var page = $"/participate/{challenge.Slug}/ideas/{idea}";
        await StaffClient.PostFormAsync(ada, page, page + "?handler=Support", None);
        await StaffClient.PostFormAsync(ada, page, page + "?handler=Comment", new Dictionary<string, string> { ["CommentText"] = "Agreed" });

        var anonymous = StaffClient.Anonymous(site);
        var json = await anonymous.GetStringAsync($"/participate/{challenge.Slug}/open-data/challenge.json");
        json.ShouldNotContain(email);
        json.ShouldNotContain("Ada Lovelace");
        using var doc = JsonDocument.Parse(json);
        var ideaJson = doc.RootElement.GetProperty("ideas")[0];
        ideaJson.GetProperty("title").GetString().ShouldBe("Online permits");
        ideaJson.GetProperty("supports").GetInt32().ShouldBe(1);
        ideaJson.GetProperty("latitude").GetDouble().ShouldBe(51.9);
        doc.RootElement.GetProperty("comments")[0].GetProperty("text").GetString().ShouldBe("Agreed");

        var csv = await anonymous.GetAsync($"/participate/{challenge.Slug}/open-data/ideas.csv");
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var text = await csv.Content.ReadAsStringAsync();
        text.ShouldStartWith("Id,Title,Text,State");
        text.ShouldContain("Online permits");
        text.ShouldNotContain("Ada");
    }

    [Theory]
    [InlineData("keep")]
    [InlineData("remove")]
    public async Task Deleting_an_account_keeps_or_removes_contributions_as_chosen_and_is_audited(string choice)
    {
        var challenge = await site.ChallengeAsync();
        var email = $"del-{Guid.NewGuid():N}@example.org";
        var ada = await site.CitizenAsync(email, "Ada");
        var idea = await ParticipationFactory.ProposeAsync(ada, challenge, "Idea to " + choice, "Some text");
        var page = $"/participate/{challenge.Slug}/ideas/{idea}";
        await StaffClient.PostFormAsync(ada, page, page + "?handler=Support", None);
        var accountId = await site.WithDbAsync(db => db.CitizenAccounts.Where(a => a.Email == email).Select(a => a.Id).SingleAsync());

        var deleted = await StaffClient.PostFormAsync(ada, "/participate/account", "/participate/account?handler=Delete", new Dictionary<string, string> { ["Contributions"] = choice });
        deleted.Headers.Location!.OriginalString.ShouldBe("/participate/account/deleted");
        (await site.WithDbAsync(db => db.CitizenAccounts.CountAsync(a => a.Email == email))).ShouldBe(0);
        (await ada.GetAsync("/participate/account")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var publicPage = await StaffClient.Anonymous(site).GetAsync($"/participate/{challenge.Slug}");
        var html = await publicPage.Content.ReadAsStringAsync();
        var audit = await site.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "citizen.account-deleted" && e.TargetId == accountId.ToString()).Select(e => e.After).SingleAsync());
        audit!.ShouldNotContain(email);
        if (choice == "keep")
        {
            html.ShouldContain("Idea to keep");
            html.ShouldContain("by deleted account");
            (await site.WithDbAsync(db => db.IdeaSupports.CountAsync(s => s.IdeaId == idea))).ShouldBe(1);
            audit!.ShouldContain("\"contributions\":\"kept\"");
        }
        else
        {
            html.ShouldNotContain("Idea to remove");
            (await site.WithDbAsync(db => db.IdeaSupports.CountAsync(s => s.IdeaId == idea))).ShouldBe(0);
            (await site.WithDbAsync(db => db.Ideas.Where(i => i.Id == idea).Select(i => i.Text).SingleAsync())).ShouldBe("");
            audit!.ShouldContain("\"contributions\":\"removed\"");
        }
    }

    [Fact]
    public async Task Staff_add_and_remove_challenge_documents_as_https_links_audited_and_see_participation_as_a_chart_with_a_table()
    {
        var challenge = await site.ChallengeAsync();
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        await ParticipationFactory.ProposeAsync(ada, challenge, "Online permits", "Renew online.");
        var staff = await StaffClient.SignInAsync(site, site.Organisation, Roles.Comms);
        var admin = $"/participation/challenges/{challenge.Id}";

        var bad = await StaffClient.PostFormAsync(staff, admin, admin + "?handler=Document", new Dictionary<string, string> { ["DocumentTitle"] = "Forms list", ["DocumentUrl"] = "javascript:alert(1)" });
        bad.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("starting with https://");
        (await site.WithDbAsync(db => db.ChallengeDocuments.CountAsync(d => d.ChallengeId == challenge.Id))).ShouldBe(0);

        (await StaffClient.PostFormAsync(staff, admin, admin + "?handler=Document", new Dictionary<string, string> { ["DocumentTitle"] = "Every form we use", ["DocumentUrl"] = "https://www.anytown.gov.uk/forms.pdf" }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var doc = await site.WithDbAsync(db => db.ChallengeDocuments.SingleAsync(d => d.ChallengeId == challenge.Id));
        (await StaffClient.Anonymous(site).GetStringAsync($"/participate/{challenge.Slug}")).ShouldContain("href=\"https://www.anytown.gov.uk/forms.pdf\"");
        (await site.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "challenge.document-added" && e.TargetId == challenge.Id.ToString()))).ShouldBe(1);

        var page = await staff.GetStringAsync(admin);
        page.ShouldContain("id=\"chart-participation-weeks-canvas\"");
        page.ShouldContain("Show the data");
        page.ShouldContain("Participants");

        (await StaffClient.PostFormAsync(staff, admin, admin + "?handler=RemoveDocument", new Dictionary<string, string> { ["DocumentId"] = doc.Id.ToString() }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await site.WithDbAsync(db => db.ChallengeDocuments.CountAsync(d => d.ChallengeId == challenge.Id))).ShouldBe(0);
        (await site.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "challenge.document-removed" && e.TargetId == challenge.Id.ToString()))).ShouldBe(1);
    }
}
