using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Sla;

/// <summary>/admin/sla and the inbox's breach warnings, through HTTP.</summary>
public sealed class SlaPagesTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private const string Page = "/admin/sla";

    private static Dictionary<string, string> PolicyForm(long? teamId, string response, string resolution, string service = "") => new()
    {
        ["Policy.TeamId"] = teamId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        ["Policy.ServiceCode"] = service,
        ["Policy.Priority"] = "",
        ["Policy.FirstResponseHours"] = response,
        ["Policy.ResolutionHours"] = resolution,
    };

    [Fact]
    public async Task Admin_adds_an_organisation_default_and_it_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(admin, Page, Page + "?handler=Policy", PolicyForm(null, "4", "40"));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var (policies, audit) = await InboxTestData.WithDbAsync(factory, org.Id, async db =>
            (await db.SlaPolicies.AsNoTracking().ToListAsync(), await db.AuditEvents.AsNoTracking().Where(a => a.TargetType == nameof(SlaPolicy)).ToListAsync()));
        var policy = policies.ShouldHaveSingleItem();
        (policy.TeamId, policy.FirstResponseHours, policy.ResolutionHours).ShouldBe((null, 4.0, 40.0));
        audit.ShouldHaveSingleItem().Action.ShouldBe("sla-policy.created");
        var page = await InboxTestData.GetPageAsync(admin, Page);
        page.QuerySelector("#policies")!.TextContent.ShouldContain("5 working days");
    }

    [Fact]
    public async Task Team_lead_sets_targets_for_their_own_team_only()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var lead = await StaffClient.SignInAsync(factory, org, "TeamLead");

        var own = await StaffClient.PostFormAsync(lead, Page, Page + "?handler=Policy", PolicyForm(org.Teams["Customer Services"], "2", "16"));
        var other = await StaffClient.PostFormAsync(lead, Page, Page + "?handler=Policy", PolicyForm(org.Teams["Highways"], "2", "16"));
        var calendar = await StaffClient.PostFormAsync(lead, Page, Page + "?handler=Calendar", new Dictionary<string, string>
        {
            ["Calendar.WorkingHours"] = "Mon-Fri 08:00-18:00", ["Calendar.HolidayCalendar"] = "scotland",
        });

        own.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        other.StatusCode.ShouldBe(HttpStatusCode.OK);
        calendar.Headers.Location?.ToString().ShouldContain("/account/access-denied");   // admins only
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.SlaPolicies.Select(p => p.TeamId).ToListAsync())).ShouldBe([org.Teams["Customer Services"]]);
    }

    [Fact]
    public async Task Admin_changes_working_hours_and_bank_holidays_and_bad_hours_are_explained()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");

        var bad = await StaffClient.PostFormAsync(admin, Page, Page + "?handler=Calendar", new Dictionary<string, string>
        {
            ["Calendar.WorkingHours"] = "Mon-Fri 18:00-08:00", ["Calendar.HolidayCalendar"] = "scotland",
        });
        var good = await StaffClient.PostFormAsync(admin, Page, Page + "?handler=Calendar", new Dictionary<string, string>
        {
            ["Calendar.WorkingHours"] = "mon-thu 08:30-17:00, fri 08:30-16:30", ["Calendar.HolidayCalendar"] = "scotland",
        });

        (await bad.Content.ReadAsStringAsync()).ShouldContain("needs a closing time after the opening time");
        good.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var saved = await InboxTestData.WithDbAsync(factory, org.Id, db => db.Organisations.AsNoTracking().SingleAsync(o => o.Id == org.Id));
        (saved.WorkingHours, saved.HolidayCalendar).ShouldBe(("Mon 08:30-17:00; Tue 08:30-17:00; Wed 08:30-17:00; Thu 08:30-17:00; Fri 08:30-16:30", "scotland"));
    }

    [Fact]
    public async Task Inbox_tags_and_filters_conversations_past_their_first_response_target()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await InboxTestData.WithDbAsync(factory, org.Id, async db =>
        {
            db.SlaPolicies.Add(new SlaPolicy { OrganisationId = org.Id, FirstResponseHours = 4, ResolutionHours = 40, UpdatedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync();
        });
        var late = await InboxTestData.ConversationAsync(factory, org, "Overflowing bin on Station Road", c => c.CreatedAt = DateTime.UtcNow.AddDays(-10));
        var fresh = await InboxTestData.ConversationAsync(factory, org, "Broken bench in Victoria Park");
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var inbox = await InboxTestData.GetPageAsync(agent, "/inbox");
        var lateRow = inbox.QuerySelector($"[data-conversation-id='{late.Id}']")!;
        lateRow.QuerySelector(".civicdesk-sla-tag")!.TextContent.ShouldBe("Overdue");
        inbox.QuerySelector($"[data-conversation-id='{fresh.Id}'] .civicdesk-sla-tag")?.TextContent.ShouldNotBe("Overdue");
        inbox.QuerySelector("#count-overdue")!.TextContent.ShouldBe("(1)");

        var filtered = await InboxTestData.GetPageAsync(agent, "/inbox?overdue=true");
        InboxTestData.References(filtered).ShouldBe([late.Reference]);
    }
}
