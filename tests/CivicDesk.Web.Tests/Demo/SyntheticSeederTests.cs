using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Features.Demo;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Platform;
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
        var schemaBefore = await SchemaAsync();
        var result = await factory.Services.GetRequiredService<SyntheticSeeder>()
            .SeedAsync(new SyntheticOptions(3_000, Organisations: 2, CasesPerMessage: 0.2, Seed: 7), null, default);

        // The seed drops the tables' secondary indexes and triggers for its bulk load: every one is back, unchanged.
        (await SchemaAsync()).ShouldBe(schemaBefore);

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
        // Places and hashtags come from each organisation's bounded lists (not one made-up street a conversation), only
        // the first message of a report naming its street is placed, and only social media posts carry hashtags.
        foreach (var org in orgIds)
        {
            var own = messages.Where(m => m.OrganisationId == org).ToList();
            var placed = own.Where(m => m.Place is not null).ToList();
            ((double)placed.Count / own.Count).ShouldBeInRange(0.1, 0.6);
            placed.ShouldAllBe(m => m.Text.Contains(m.Place!.Split(',', StringSplitOptions.None)[0], StringComparison.Ordinal));
            placed.Select(m => m.Place).Distinct().Count().ShouldBeLessThan(placed.Count);
            var tagged = own.Where(m => Hashtags.Extract(m.Text).Count > 0).ToList();
            tagged.Count.ShouldBeGreaterThan(0);
            var social = await db.Channels.IgnoreQueryFilters().Where(c => c.OrganisationId == org && (c.Kind == ChannelKind.Twitter || c.Kind == ChannelKind.Bluesky || c.Kind == ChannelKind.Facebook))
                .Select(c => c.Id).ToListAsync();
            tagged.ShouldAllBe(m => social.Contains(m.ChannelId));
        }

        var codes = await db.CaseServices.IgnoreQueryFilters().Where(s => orgIds.Contains(s.OrganisationId)).Select(s => s.Code).ToListAsync();
        cases.ShouldAllBe(c => codes.Contains(c.ServiceCode) && c.Reference.StartsWith("CS-Z"));

        // The full-text indexes took the new rows (on SQLite the seed indexes them itself, its triggers being dropped).
        var someCase = cases[cases.Count / 2];
        var word = someCase.Title.Split(':')[0].Split(' ')[0];
        var found = await CaseSearch.MatchingIds(db, TextQuery.Parse($"{word} {someCase.Address!.Split(',')[0]}")!).ToListAsync();
        found.ShouldContain(someCase.Id);
        var someConversation = conversations[conversations.Count / 3];
        var inbox = await ConversationSearch.Newest(db, TextQuery.Parse(someConversation.Reference)!, someConversation.OrganisationId, 5).ToListAsync();
        inbox.ShouldContain(someConversation.Id);

        // Explicit ids were written: the app's own inserts (identity sequences on PostgreSQL) must carry on past them.
        var channel = await db.Channels.IgnoreQueryFilters().FirstAsync(c => c.OrganisationId == orgIds[0]);
        var outcome = await factory.Services.GetRequiredService<IngestPipeline>().SubmitAsync(new IngestBatch(orgIds[0], channel.Id, channel.Kind,
            [new InboundPost("after-synthetic-1", "Pothole on Mill Road after the synthetic seed", "@newcomer")]), default);
        outcome.Accepted.ShouldBe(1);
        outcome.Items[0].MessageId.ShouldBeGreaterThan(messages.Max(m => m.Id));
        outcome.Items[0].ConversationId.ShouldBeGreaterThan(conversations.Max(c => c.Id));
    }

    /// <summary>Indexes and triggers of the three bulk-loaded tables, with their definitions.</summary>
    private async Task<List<string>> SchemaAsync()
    {
        await using var scope = factory.ScopeFor(null);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var rows = db.Provider == DatabaseProvider.Postgres
            ? await db.Database.SqlQueryRaw<string>(
                """
                SELECT indexdef AS "Value" FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('Conversations', 'Messages', 'Cases')
                UNION ALL SELECT tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE c.relname IN ('Conversations', 'Messages', 'Cases') AND NOT t.tgisinternal
                """).ToListAsync()
            : await db.Database.SqlQueryRaw<string>(
                """SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS "Value" FROM sqlite_master WHERE tbl_name IN ('Conversations', 'Messages', 'Cases')""").ToListAsync();
        rows.Count.ShouldBeGreaterThan(10);
        return [.. rows.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Topics_are_the_same_for_the_same_seed_bounded_and_skewed()
    {
        var topics = SyntheticTopics.Draw("Ashby-de-la-Zouch", 42);
        var again = SyntheticTopics.Draw("Ashby-de-la-Zouch", 42);
        again.Streets.ShouldBe(topics.Streets);
        again.Tags.ShouldBe(topics.Tags);
        SyntheticTopics.Draw("Ashby-de-la-Zouch", 43).Streets.SequenceEqual(topics.Streets).ShouldBeFalse();
        topics.Streets.Count.ShouldBeInRange(1_000, SyntheticTopics.StreetCount);
        topics.Streets.Distinct().Count().ShouldBe(topics.Streets.Count);
        // Every tag is read back whole by the dashboards' hashtag rule, the town's among them.
        topics.Tags.ShouldAllBe(t => Hashtags.Extract("#" + t).SequenceEqual(new[] { t }));
        topics.Tags.ShouldContain("ashbydelazouch");

        // Zipf-like: the most popular street takes about 1 / H(n, 0.8) of the draws; half the list takes little.
        var random = new Random(1);
        var draws = Enumerable.Range(0, 200_000).Select(_ => topics.Street(random)).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var harmonic = Enumerable.Range(1, topics.Streets.Count).Sum(k => 1 / Math.Pow(k, SyntheticTopics.StreetExponent));
        (draws[topics.Streets[0]] / 200_000.0).ShouldBe(1 / harmonic, 0.005);
        draws.Keys.ShouldAllBe(s => topics.Streets.Contains(s));
        var tail = topics.Streets.Skip(topics.Streets.Count / 2).Sum(s => draws.GetValueOrDefault(s)) / 200_000.0;
        tail.ShouldBeLessThan(0.35);

        var tagged = Enumerable.Range(0, 20_000).Select(_ => topics.Hashtags(random)).ToList();
        (tagged.Count(t => t.Length > 0) / 20_000.0).ShouldBe(SyntheticTopics.ShareWithHashtag, 0.02);
        tagged.SelectMany(t => Hashtags.Extract(t)).ShouldAllBe(t => topics.Tags.Contains(t));
    }
}
