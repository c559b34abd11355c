using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>
/// The whole walking skeleton in a real browser: a citizen reports a problem on the public form, an agent signs in,
/// finds it in the right team's inbox, works it (note, assignment, reply, resolve), the citizen's status page shows
/// the reply, and the conversation's audit timeline lists every step. axe-core checks each page on the way.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CitizenToAgentJourneyTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Citizen_report_is_routed_worked_answered_and_audited()
    {
        // The public pages serve the organisation with slug "demo" (Public:OrganisationSlug default).
        var org = await TestOrganisation.CreateAsync(fixture.Factory, "demo", "Customer Services", "Highways", "Waste");
        var highways = org.Teams["Highways"];
        var agent = org.Staff[Roles.Agent];
        await using (var scope = fixture.Factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.RoutingRules.Add(new RoutingRule
            {
                OrganisationId = org.Id, Position = 1, Name = "Potholes to Highways", Keywords = "pothole", TeamId = highways, UpdatedAt = DateTime.UtcNow,
            });
            db.TeamMemberships.Add(new TeamMembership { OrganisationId = org.Id, StaffMemberId = agent.Id, TeamId = highways });
            await db.SaveChangesAsync();
        }

        // 1. The citizen reports a pothole.
        var citizen = await fixture.NewPageAsync();
        await citizen.GotoAsync("/report");
        await AssertAccessibleAsync(citizen, "report form");
        await citizen.GetByLabel("What is the problem, or what do you want to ask?").FillAsync("Deep pothole outside 12 Station Road, my tyre burst on it");
        await citizen.GetByLabel("Email address").FillAsync("resident@example.com");
        await citizen.GetByRole(AriaRole.Button, new() { Name = "Send report" }).ClickAsync();
        await citizen.Locator(".govuk-panel--confirmation").WaitForAsync();
        var reference = (await citizen.Locator("#reference").InnerTextAsync()).Trim();
        reference.ShouldMatch("^CD-[0-9A-Z]{6}$");

        // 2. The agent signs in and finds it in the Highways inbox.
        var staff = await fixture.NewPageAsync();
        await staff.GotoAsync("/account/sign-in");
        await staff.GetByLabel("Email address").FillAsync(agent.Email);
        await staff.GetByLabel("Password").FillAsync(TestOrganisation.Password);
        await staff.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await staff.WaitForURLAsync(url => url.Contains("/inbox", StringComparison.Ordinal));
        await staff.GotoAsync($"/inbox?team={highways}");
        var row = staff.GetByRole(AriaRole.Link, new() { Name = reference });
        await row.WaitForAsync();
        await AssertAccessibleAsync(staff, "inbox");

        // 3. Opens it, sees why it was routed, adds a note, assigns, replies, resolves.
        await row.ClickAsync();
        await staff.WaitForURLAsync(url => url.Contains("/inbox/conversation/", StringComparison.Ordinal));
        (await staff.Locator("#routing").Locator("xpath=..").InnerTextAsync()).ShouldContain("Highways");
        await AssertAccessibleAsync(staff, "conversation");

        await staff.Locator("#note-text").FillAsync("Inspector booked for tomorrow morning.");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await staff.GetByText("Inspector booked for tomorrow morning.").First.WaitForAsync();

        // Routing already chose Highways; the agent takes it on personally.
        // (Choosing a team reloads the people list with htmx, so the team is left as routing set it.)
        (await staff.Locator("#assign-team").InputValueAsync()).ShouldBe(highways.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await staff.Locator("#assign-person").SelectOptionAsync(new SelectOptionValue { Value = agent.Id });
        await staff.GetByRole(AriaRole.Button, new() { Name = "Assign", Exact = true }).ClickAsync();
        await staff.WaitForLoadStateAsync(LoadState.NetworkIdle);

        const string reply = "Thank you. An inspector will check the pothole on Station Road tomorrow and we will make it safe.";
        await staff.Locator("#reply-text").FillAsync(reply);
        await staff.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await staff.Locator(".civicdesk-message--outbound").GetByText("An inspector will check").WaitForAsync();

        await staff.Locator("#status-to-Resolved").ClickAsync();
        await staff.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // 4. The citizen's status page shows the reply once the outbound worker has delivered it.
        var delivered = false;
        for (var attempt = 0; attempt < 40 && !delivered; attempt++)
        {
            await citizen.GotoAsync($"/status/{reference}");
            delivered = (await citizen.Locator("main").InnerTextAsync()).Contains("An inspector will check", StringComparison.Ordinal);
            if (!delivered)
            {
                await citizen.WaitForTimeoutAsync(250);
            }
        }

        delivered.ShouldBeTrue("the reply never reached the status page");
        (await citizen.Locator("main").InnerTextAsync()).ShouldNotContain("Inspector booked", customMessage: "internal notes must never be public");
        await AssertAccessibleAsync(citizen, "status page");

        // 5. The audit timeline lists each step, and the database agrees.
        await staff.ReloadAsync();
        var actions = await staff.Locator("[data-audit-action]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-audit-action'))");
        actions.ShouldContain("conversation.created");
        actions.ShouldContain("conversation.opened");
        actions.ShouldContain("note.added");
        actions.ShouldContain("conversation.assigned");
        actions.ShouldContain("reply.queued");
        actions.ShouldContain("reply.sent");
        actions.ShouldContain("conversation.status-changed");

        await using var check = fixture.Factory.ScopeFor(org.Id);
        var conversation = await check.ServiceProvider.GetRequiredService<CivicDeskDb>().Conversations.SingleAsync(c => c.Reference == reference);
        conversation.Status.ShouldBe(ConversationStatus.Resolved);
        conversation.AssignedTeamId.ShouldBe(highways);
        conversation.AssignedStaffId.ShouldBe(agent.Id);
        conversation.RoutingReason!.ShouldContain("Highways");
    }

    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty($"{what}: {Axe.Describe(violations)}");
    }
}
