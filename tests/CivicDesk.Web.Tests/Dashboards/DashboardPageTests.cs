using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>Team scoping of every figure: an agent or team lead sees only their teams; analysts see everything.</summary>
public sealed class DashboardPageTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    private async Task<TestOrganisation> ArrangeAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var today = DateTime.UtcNow.Date.AddHours(9);
        var n = 0;
        async Task AddAsync(long team, string category, string place, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var at = today.AddMinutes(-n);
                var c = new Conversation
                {
                    OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"DB-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                    CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = team, Category = category,
                };
                db.Conversations.Add(c);
                await db.SaveChangesAsync();
                db.Messages.Add(new Message
                {
                    OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"x{n++}", AuthorHandle = "c",
                    Text = $"About {category} at {place}", CreatedAt = at, ReceivedAt = at, Category = category, Sentiment = "negative", Place = place,
                });
                await db.SaveChangesAsync();
            }
        }

        await AddAsync(org.Teams["Customer Services"], "missed-bin", "Acacia Avenue", 3);
        await AddAsync(org.Teams["Highways"], "pothole-zzz", "Zebra Road", 9);
        await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        return org;
    }

    [Theory]
    [InlineData(Roles.Agent, false)]
    [InlineData(Roles.TeamLead, false)]
    [InlineData(Roles.Analyst, true)]
    [InlineData(Roles.Comms, true)]
    [InlineData(Roles.Admin, true)]
    public async Task Dashboard_ShowsOnlyTheViewersTeams(string role, bool seesOtherTeams)
    {
        var org = await ArrangeAsync();
        var client = await StaffClient.SignInAsync(factory, org, role);

        var html = await client.GetStringAsync("/dashboards");

        html.ShouldContain("missed-bin");
        html.ShouldContain("Acacia Avenue");
        html.Contains("pothole-zzz", StringComparison.Ordinal).ShouldBe(seesOtherTeams);
        html.Contains("Zebra Road", StringComparison.Ordinal).ShouldBe(seesOtherTeams);
        html.ShouldContain("download=\"contact-total.csv\"");
    }

    [Fact]
    public async Task Dashboard_IgnoresAnotherTeamAskedForByAnAgent()
    {
        var org = await ArrangeAsync();
        var client = await StaffClient.SignInAsync(factory, org, Roles.Agent);

        var html = await client.GetStringAsync($"/dashboards?team={org.Teams["Highways"]}");

        html.ShouldNotContain("pothole-zzz");
        html.ShouldContain("(the teams you belong to)");
    }

    [Fact]
    public async Task AlertMessages_AreScopedToo()
    {
        var org = await ArrangeAsync();
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        var analyst = await StaffClient.SignInAsync(factory, org, Roles.Analyst);
        var day = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var url = $"/dashboards/messages?dimension=Category&value=pothole-zzz&day={day}";

        (await agent.GetStringAsync(url)).ShouldNotContain("About pothole-zzz");
        (await analyst.GetStringAsync(url)).ShouldContain("About pothole-zzz");
        (await analyst.GetAsync("/dashboards/messages?dimension=Nonsense&value=x&day=" + day)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Dashboard_RequiresSignIn()
    {
        var response = await StaffClient.Anonymous(factory).GetAsync("/dashboards");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Engagement_ShowsTheOrganisationOnlyToThoseWhoSeeIt_AndTeamsInScope()
    {
        var org = await ArrangeAsync();
        var agent = await (await StaffClient.SignInAsync(factory, org, Roles.Agent)).GetStringAsync("/dashboards/engagement");
        var analyst = await (await StaffClient.SignInAsync(factory, org, Roles.Analyst)).GetStringAsync("/dashboards/engagement");

        agent.ShouldContain("<h2 class=\"govuk-heading-m\">Customer Services</h2>");
        agent.ShouldNotContain("<h2 class=\"govuk-heading-m\">Highways</h2>");
        agent.ShouldNotContain("Whole organisation");
        analyst.ShouldContain("Whole organisation");
        analyst.ShouldContain("<h2 class=\"govuk-heading-m\">Highways</h2>");
    }

    [Fact]
    public async Task Methods_ArePublic_AndPublishTheWeights()
    {
        var html = await StaffClient.Anonymous(factory).GetStringAsync("/dashboards/methods");

        html.ShouldContain("Responsiveness");
        html.ShouldContain("30%");
        html.ShouldContain("Benjamini");
        html.ShouldContain("Socitm");
    }
}
