using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Cases;

public sealed class PurposeLimitationRuleTests
{
    private static Message Post(string handle, string? search) => new()
    {
        ExternalId = Guid.NewGuid().ToString("N"), AuthorHandle = handle, Text = "The bins on Mill Lane again", ChannelId = 1, MatchedSearch = search,
    };

    [Fact]
    public void A_listening_only_post_is_refused_unless_its_author_contacted_us_directly()
    {
        var listened = Post("@someone", "Bins in Mill Lane");
        PurposeLimitation.CheckCaseLink([listened], _ => false).ShouldBe(PurposeLimitation.Refusal);
        PurposeLimitation.CheckCaseLink([listened], _ => true).ShouldBeNull();
        PurposeLimitation.CheckCaseLink([Post("@someone", null)], _ => false).ShouldBeNull();
    }
}

/// <summary>Enforced where cases are made and messages linked, whichever page or API asks.</summary>
public sealed class PurposeLimitationTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public PurposeLimitationTests(CivicDeskFactory factory) => _factory = factory;

    private async Task<long> PostAsync(TestOrganisation org, long channelId, string handle, string? matchedSearch)
    {
        var pipeline = _factory.Services.GetRequiredService<IngestPipeline>();
        var outcome = await pipeline.SubmitAsync(new IngestBatch(org.Id, channelId, ChannelKind.Mastodon,
            [new InboundPost("post-" + Guid.NewGuid().ToString("N"), "Fly-tipping behind the library again, third week running", handle,
                IsDirect: matchedSearch is null, MatchedSearch: matchedSearch)]), CancellationToken.None);
        return outcome.Items.Single().MessageId;
    }

    [Fact]
    public async Task Attaching_a_listening_only_post_to_a_case_is_refused()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await CaseTestData.ServicesAsync(_factory, org);
        var channel = await InboxTestData.ChannelAsync(_factory, org, ChannelKind.Mastodon);
        var listened = await PostAsync(org, channel, "@resident@example.social", "Fly-tipping in town");

        var create = await CaseTestData.CommandAsync(_factory, org, c => c.CreateAsync(new NewCase
        {
            ServiceCode = CaseTestData.Potholes, Title = "Fly-tipping", Description = "Behind the library", Source = CaseSource.Staff, MessageIds = [listened],
        }, CancellationToken.None));
        create.Outcome.ShouldBe(CaseOutcome.Invalid);
        create.Error.ShouldBe(PurposeLimitation.Refusal);

        var existing = await CaseTestData.CaseAsync(_factory, org);
        var link = await CaseTestData.CommandAsync(_factory, org, c => c.LinkMessageAsync(existing.Id, listened, CancellationToken.None));
        link.Outcome.ShouldBe(CaseOutcome.Invalid);
        (await CaseTestData.WithDbAsync(_factory, org.Id, db => Task.FromResult(db.CaseMessages.Count(m => m.MessageId == listened)))).ShouldBe(0);
    }

    [Fact]
    public async Task Once_the_author_writes_to_us_directly_their_post_may_join_a_case()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await CaseTestData.ServicesAsync(_factory, org);
        var channel = await InboxTestData.ChannelAsync(_factory, org, ChannelKind.Mastodon);
        var listened = await PostAsync(org, channel, "@writer@example.social", "Fly-tipping in town");
        await PostAsync(org, channel, "@writer@example.social", matchedSearch: null);

        var existing = await CaseTestData.CaseAsync(_factory, org);
        var link = await CaseTestData.CommandAsync(_factory, org, c => c.LinkMessageAsync(existing.Id, listened, CancellationToken.None));
        link.Outcome.ShouldBe(CaseOutcome.Done);
    }
}
