using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Demo;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Demo;

/// <summary><c>civicdesk seed --synthetic N</c>'s bulk writer, on the provider under test (SQLite, or PostgreSQL with CIVICDESK_TEST_PROVIDER=postgres).</summary>
public sealed class SyntheticSeederTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    [Fact]
    public async Task Seeds_consistent_organisations_conversations_messages_and_cases_that_the_app_can_keep_adding_to()
    {
        _ = factory.CreateClient(); // starts the host (and its ingest workers)
        var result = await factory.Services.GetRequiredService<SyntheticSeeder>()
            .SeedAsync(new SyntheticOptions(3_000, Organisations: 2, CasesPerMessage: 0.2, Seed: 7), null, default);

        result.Organisations.ShouldBe(2);
        result.Messages.ShouldBe(3_000);
        result.Conversations.ShouldBeInRange(600, 2_999);
        result.Cases.ShouldBeGreaterThan(100);

        await using var scope = factory.ScopeFor(null);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var orgIds = await db.Organisations.Where(o => o.Slug.StartsWith("synthetic-")).OrderByDescending(o => o.Id).Take(2).Select(o => o.Id).ToListAsync();
        var messages = await db.Messages.IgnoreQueryFilters().Where(m => orgIds.Contains(m.OrganisationId)).ToListAsync();
        var conversations = await db.Conversations.IgnoreQueryFilters().Where(c => orgIds.Contains(c.OrganisationId)).ToListAsync();
        var cases = await db.Cases.IgnoreQueryFilters().Where(c => orgIds.Contains(c.OrganisationId)).ToListAsync();
        messages.Count.ShouldBe(3_000);
        conversations.Count.ShouldBe((int)result.Conversations);
        cases.Count.ShouldBe((int)result.Cases);

        // Every conversation's count and latest time agree with its messages; labels read back as the pipeline writes them.
        var byConversation = messages.GroupBy(m => m.ConversationId).ToDictionary(g => g.Key);
        foreach (var c in conversations)
        {
            byConversation[c.Id].Count().ShouldBe(c.MessageCount);
            byConversation[c.Id].Max(m => m.CreatedAt).ShouldBe(c.LastMessageAt, TimeSpan.FromMilliseconds(1));
            byConversation[c.Id].ShouldAllBe(m => m.ChannelId == c.ChannelId && m.OrganisationId == c.OrganisationId);
        }

        messages.ShouldAllBe(m => TriageScores.Parse(m.TriageScores).ContainsKey("kind") && m.RoutedTeamId != null && m.Text.Length > 10);
        messages.Select(m => m.Category).Distinct().Count().ShouldBeGreaterThan(5);
        conversations.Select(c => c.Status).Distinct().Count().ShouldBeGreaterThan(2);
        var codes = await db.CaseServices.IgnoreQueryFilters().Where(s => orgIds.Contains(s.OrganisationId)).Select(s => s.Code).ToListAsync();
        cases.ShouldAllBe(c => codes.Contains(c.ServiceCode) && c.Reference.StartsWith("CS-Z"));

        // Explicit ids were written: the app's own inserts (identity sequences on PostgreSQL) must carry on past them.
        var channel = await db.Channels.IgnoreQueryFilters().FirstAsync(c => c.OrganisationId == orgIds[0]);
        var outcome = await factory.Services.GetRequiredService<IngestPipeline>().SubmitAsync(new IngestBatch(orgIds[0], channel.Id, channel.Kind,
            [new InboundPost("after-synthetic-1", "Pothole on Mill Road after the synthetic seed", "@newcomer")]), default);
        outcome.Accepted.ShouldBe(1);
        outcome.Items[0].MessageId.ShouldBeGreaterThan(messages.Max(m => m.Id));
        outcome.Items[0].ConversationId.ShouldBeGreaterThan(conversations.Max(c => c.Id));
    }
}
