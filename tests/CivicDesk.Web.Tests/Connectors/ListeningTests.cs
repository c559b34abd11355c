using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors;

public sealed class ListeningTests(ConnectorFactory factory) : IClassFixture<ConnectorFactory>
{
    [Theory]
    [InlineData("Pothole on Station Road", "pothole", true)]
    [InlineData("Potholes everywhere", "pothole", false)]
    [InlineData("Fix the #bins please", "bins", true)]
    [InlineData("Fix the bins please", "#bins", false)]
    [InlineData("Fix the #Bins please", "#bins", true)]
    [InlineData("the street   lights are out", "street lights", true)]
    [InlineData("streetlights are out", "street lights", false)]
    [InlineData("cc @Kent.Police", "@kent.police", true)]
    public void Terms_match_whole_words_hashtags_handles_and_phrases(string text, string term, bool matches)
    {
        var matcher = ListeningMatcher.Build([new ListeningSearch { Name = "S", Terms = term }], [], DateTimeOffset.UtcNow);
        (matcher.Match(text) == "S").ShouldBe(matches);
    }

    [Fact]
    public void All_needs_every_term_and_the_first_matching_search_is_named()
    {
        var matcher = ListeningMatcher.Build(
        [
            new ListeningSearch { Name = "A flood", Terms = "flood\nAshford", Match = SearchMatch.All },
            new ListeningSearch { Name = "B flood", Terms = "flood" },
            new ListeningSearch { Name = "Off", Terms = "weather", IsEnabled = false },
        ], ["@council"], DateTimeOffset.UtcNow);
        matcher.Match("Flood in Ashford").ShouldBe("A flood");
        matcher.Match("Flood in Dover").ShouldBe("B flood");
        matcher.MentionsUs("thanks @Council!").ShouldBeTrue();
        matcher.MentionsUs("the council is great").ShouldBeFalse();
    }

    [Fact]
    public async Task Comms_adds_a_search_on_the_page_it_is_audited_and_the_sink_uses_it_at_once()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var channelId = await factory.AddFakeChannelAsync(org, enabled: false);
        var sink = (await factory.Services.GetRequiredService<ConnectorContexts>().CreateAsync(channelId, CancellationToken.None))!.Sink;
        (await sink.CommitAsync([new InboundPost("l0", "Dog fouling in Victoria Park", "@a")], null, CancellationToken.None)).Accepted.ShouldBe(0);

        var comms = await StaffClient.SignInAsync(factory, org, "Comms");
        var saved = await StaffClient.PostFormAsync(comms, "/admin/listening", "/admin/listening?handler=Save", new Dictionary<string, string>
        {
            ["Input.Name"] = "Parks", ["Input.Terms"] = "Victoria Park\n#parks\n", ["Input.Match"] = "Any", ["Input.Enabled"] = "true",
            ["Input.Purpose"] = "To hear about problems in our parks",
        });
        (await saved.Content.ReadAsStringAsync()).ShouldContain("Victoria Park, #parks");

        var outcome = await sink.CommitAsync([new InboundPost("l1", "Dog fouling in Victoria Park", "@a")], null, CancellationToken.None);
        outcome.Accepted.ShouldBe(1);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Messages.SingleAsync(m => m.ExternalId == "l1" && m.ChannelId == channelId)).MatchedSearch.ShouldBe("Parks");
        (await db.AuditEvents.CountAsync(a => a.Action == "listening-search.created")).ShouldBe(1);

        var agent = await StaffClient.SignInAsync(factory, org, "Agent");
        (await agent.GetAsync("/admin/listening")).Headers.Location!.ToString().ShouldContain("access-denied");
    }
}
