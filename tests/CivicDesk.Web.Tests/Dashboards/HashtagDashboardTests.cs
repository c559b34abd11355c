using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>Sentiment by hashtag and the messages behind a hashtag: the tag rule, case folding and team scoping.</summary>
public sealed class HashtagDashboardTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    private async Task<TestOrganisation> ArrangeAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var at = DateTime.UtcNow.Date.AddHours(10);
        var n = 0;
        async Task AddAsync(long team, string text, string sentiment)
        {
            var c = new Conversation
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"HT-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = team,
            };
            db.Conversations.Add(c);
            await db.SaveChangesAsync();
            db.Messages.Add(new Message
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"h{n++}", AuthorHandle = "c",
                Text = text, CreatedAt = at.AddMinutes(-n), ReceivedAt = at, Sentiment = sentiment,
            });
            await db.SaveChangesAsync();
        }

        await AddAsync(org.Teams["Customer Services"], "Still no collection #BinDayMiss", "negative");
        await AddAsync(org.Teams["Customer Services"], "#bindaymiss third week running", "negative");
        await AddAsync(org.Teams["Customer Services"], "Thanks for sorting it #BinDayMissFixed", "positive");
        await AddAsync(org.Teams["Highways"], "Gritting on Zebra Road #GritWatchZ", "neutral");
        await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        return org;
    }

    [Fact]
    public async Task Sentiment_by_hashtag_counts_tags_case_folded_and_only_in_scope()
    {
        var org = await ArrangeAsync();
        var analyst = await StaffClient.SignInAsync(factory, org, Roles.Analyst);
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);

        var all = await analyst.GetStringAsync("/dashboards");
        all.ShouldContain("Sentiment by hashtag");
        // Row headers of the chart's data table: the exact tag, not a prefix of a longer one.
        all.ShouldContain(">#bindaymiss</th>");
        all.ShouldContain(">#bindaymissfixed</th>");
        all.ShouldContain(">#gritwatchz</th>");

        var mine = await agent.GetStringAsync("/dashboards");
        mine.ShouldContain(">#bindaymiss</th>");
        mine.ShouldNotContain("#gritwatchz");
    }

    [Fact]
    public async Task The_messages_behind_a_hashtag_are_exactly_those_carrying_it()
    {
        var org = await ArrangeAsync();
        var analyst = await StaffClient.SignInAsync(factory, org, Roles.Analyst);
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        var day = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var html = await analyst.GetStringAsync($"/dashboards/messages?dimension=Hashtag&value=bindaymiss&day={day}");
        html.ShouldContain("Hashtag: #bindaymiss");
        html.ShouldContain("Still no collection");
        html.ShouldContain("third week running");
        html.ShouldNotContain("Thanks for sorting it"); // #BinDayMissFixed is another tag, though it starts the same
        html.ShouldContain("2 inbound message(s)");

        var other = $"/dashboards/messages?dimension=Hashtag&value=gritwatchz&day={day}";
        (await analyst.GetStringAsync(other)).ShouldContain("Gritting on Zebra Road");
        (await agent.GetStringAsync(other)).ShouldNotContain("Gritting on Zebra Road");
    }
}
