using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Case = CivicDesk.Web.Domain.Case;

namespace CivicDesk.Web.Tests.Cases;

/// <summary>
/// Case search by text through the full-text indexes (SQLite FTS5, PostgreSQL tsvector + GIN). The corpus and every
/// expected answer are fixed here, and the class runs on both providers: the same answers on both is the cross-database
/// check the issue asks for.
/// </summary>
public sealed class CaseSearchTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private sealed record Corpus(TestOrganisation Org, IReadOnlyDictionary<string, Case> Cases);

    // key -> (service, title, description, address)
    private static readonly (string Key, string Service, string Title, string Description, string? Address)[] Texts =
    [
        ("lansdown", CaseTestData.Potholes, "Pothole on Lansdown Road", "Deep pothole near the bus stop, A38 junction", "12 Lansdown Road, Cheltenham GL50 2JA"),
        ("marys", CaseTestData.Potholes, "Potholes outside St. Mary's school", "Several pot-holes; one is 30cm across.", "Hatherley Lane"),
        ("sofa", CaseTestData.Flytipping, "Fly-tipping: sofa dumped", "A sofa and mattress dumped behind the shops (again!)", null),
        ("light", CaseTestData.General, "Streetlight not working", "The light outside no. 42 flickers at night", "42 Bath Road"),
        ("graffiti", CaseTestData.General, "Graffiti on the café wall", "Offensive graffiti, please remove 😡", null),
        ("drain", CaseTestData.Potholes, "Blocked drain", "Water pooling; the colour of the water is brown", "Stryd Fawr, Ynys Môn"),
        ("bench", CaseTestData.General, "Broken bench in Pittville Park", "Please contact resident@example.com about the bench", null),
    ];

    private async Task<Corpus> CorpusAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var cases = new Dictionary<string, Case>();
        foreach (var (key, service, title, description, address) in Texts)
        {
            var result = await CaseTestData.CommandAsync(factory, org, c => c.CreateAsync(new NewCase
            {
                ServiceCode = service, Title = title, Description = description, Address = address, Source = CaseSource.Staff,
            }, CancellationToken.None));
            result.Outcome.ShouldBe(CaseOutcome.Done, result.Error);
            cases[key] = result.Case!;
        }

        return new Corpus(org, cases);
    }

    public static TheoryData<string, string[]> Answers => new()
    {
        { "pothol", ["lansdown", "marys"] },
        { "POTHOLE", ["lansdown", "marys"] },
        { "pothole lansdown", ["lansdown"] },
        { "lansdown pothole", ["lansdown"] },
        { "pot hole", ["marys"] },
        { "a38 junction", ["lansdown"] },
        { "st mary's", ["marys"] },
        { "resident@example.com", ["bench"] },
        { "example.com", ["bench"] },
        { "gl50 2ja", ["lansdown"] },
        { "42 bath", ["light"] },
        { "café", ["graffiti"] },
        // No stemming and no accent folding on either database: the same answer on both.
        { "cafe", [] },
        { "môn", ["drain"] },
        { "colour", ["drain"] },
        { "color", [] },
        { "fly tipping", ["sofa"] },
        { "flytipping", [] },
        { "graffiti 😡", ["graffiti"] },
        { "AND", ["sofa"] },
        { "\"pothole", ["lansdown", "marys"] },
        { "pothole*", ["lansdown", "marys"] },
        { "(pothole)", ["lansdown", "marys"] },
        { "-pothole", ["lansdown", "marys"] },
        { "a:b", [] },
        { "NEAR(sofa mattress)", [] },
        { "sofa mattress", ["sofa"] },
        { "nothing matches this", [] },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task A_fixed_corpus_gives_the_same_answers_on_both_databases(string query, string[] expected)
    {
        var corpus = await SharedCorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");
        var found = await RefsAsync(admin, "/cases?allStatuses=true&q=" + Uri.EscapeDataString(query));
        found.ShouldBe(expected.Select(k => corpus.Cases[k].Reference), ignoreOrder: true, $"search \"{query}\"");
    }

    [Fact]
    public async Task A_reference_typed_exactly_in_part_or_in_lower_case_finds_its_case()
    {
        var corpus = await SharedCorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");
        var sofa = corpus.Cases["sofa"].Reference;

        (await RefsAsync(admin, "/cases?allStatuses=true&q=" + sofa)).ShouldBe([sofa]);
        (await RefsAsync(admin, "/cases?allStatuses=true&q=" + sofa.ToLowerInvariant())).ShouldBe([sofa]);
        (await RefsAsync(admin, "/cases?allStatuses=true&q=" + Uri.EscapeDataString("  " + sofa + " "))).ShouldBe([sofa]);
        // The start of a reference: CS-7K3F finds CS-7K3F9Q.
        (await RefsAsync(admin, "/cases?allStatuses=true&q=" + sofa[..7])).ShouldContain(sofa);
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("*")]
    [InlineData("(")]
    [InlineData("-")]
    [InlineData("''")]
    [InlineData("&|!:*")]
    [InlineData("😀")]
    [InlineData("\"\"\"")]
    public async Task Punctuation_or_emoji_alone_finds_nothing_and_says_why(string query)
    {
        var corpus = await SharedCorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");
        var page = await InboxTestData.GetPageAsync(admin, "/cases?allStatuses=true&q=" + Uri.EscapeDataString(query));
        page.QuerySelectorAll("[data-case-row]").ShouldBeEmpty();
        page.GetElementById("case-search-note")!.TextContent.ShouldContain("no letters or numbers");
        page.GetElementById("filter-q")!.GetAttribute("value").ShouldBe(query, "the search box keeps what was typed");
    }

    [Fact]
    public async Task A_very_long_search_is_answered_from_its_first_words()
    {
        var corpus = await SharedCorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");

        var repeated = string.Concat(Enumerable.Repeat("pothole ", 250));
        repeated.Length.ShouldBe(2000);
        (await RefsAsync(admin, "/cases?allStatuses=true&q=" + Uri.EscapeDataString(repeated)))
            .ShouldBe([corpus.Cases["lansdown"].Reference, corpus.Cases["marys"].Reference], ignoreOrder: true, "a repeated word counts once");

        var words = string.Join(' ', Enumerable.Range(0, 400).Select(i => "sofa" + i));
        var response = await admin.GetAsync("/cases?allStatuses=true&q=" + Uri.EscapeDataString(words[..2000]));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await InboxTestData.GetPageAsync(admin, "/cases?allStatuses=true&q=" + Uri.EscapeDataString(words[..2000]));
        page.GetElementById("case-search-note")!.TextContent.ShouldContain($"first {TextQuery.MaxWords} words");
    }

    [Fact]
    public async Task Edited_titles_and_descriptions_are_found_by_their_new_words_only()
    {
        var corpus = await CorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");
        var sofa = corpus.Cases["sofa"];
        await CaseTestData.WithDbAsync(factory, corpus.Org.Id, async db =>
        {
            var c = await db.Cases.SingleAsync(x => x.Id == sofa.Id);
            c.Title = "Fridge left on the verge";
            c.Description = "A fridge freezer by the recycling bins";
            c.Address = "Prestbury Road";
            return await db.SaveChangesAsync();
        });

        (await RefsAsync(admin, "/cases?allStatuses=true&q=fridge")).ShouldBe([sofa.Reference]);
        (await RefsAsync(admin, "/cases?allStatuses=true&q=prestbury")).ShouldBe([sofa.Reference]);
        (await RefsAsync(admin, "/cases?allStatuses=true&q=mattress")).ShouldBeEmpty("the old description's words left the index");
        (await RefsAsync(admin, "/cases?allStatuses=true&q=sofa")).ShouldBeEmpty();
        await AssertIndexIntactAsync();
    }

    [Fact]
    public async Task Deleted_cases_leave_the_index()
    {
        var corpus = await CorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");
        var bench = corpus.Cases["bench"];
        await CaseTestData.WithDbAsync(factory, corpus.Org.Id, async db =>
        {
            await db.CaseUpdates.Where(u => u.CaseId == bench.Id).ExecuteDeleteAsync();
            await db.CaseMessages.Where(m => m.CaseId == bench.Id).ExecuteDeleteAsync();
            await db.CaseReporters.Where(r => r.CaseId == bench.Id).ExecuteDeleteAsync();
            return await db.Cases.Where(c => c.Id == bench.Id).ExecuteDeleteAsync();
        });

        (await RefsAsync(admin, "/cases?allStatuses=true&q=bench")).ShouldBeEmpty();
        (await RefsAsync(admin, "/cases?allStatuses=true&q=" + bench.Reference)).ShouldBeEmpty();
        await AssertIndexIntactAsync();
    }

    [Fact]
    public async Task A_merged_case_is_found_exactly_where_the_list_shows_it()
    {
        var corpus = await CorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");
        var (lansdown, marys) = (corpus.Cases["lansdown"], corpus.Cases["marys"]);
        (await CaseTestData.CommandAsync(factory, corpus.Org, c => c.MergeAsync(marys.Id, lansdown.Id, CancellationToken.None))).Outcome.ShouldBe(CaseOutcome.Done);

        foreach (var filter in new[] { "", "allStatuses=true", "status=Duplicate", "status=Open" })
        {
            var listed = await RefsAsync(admin, "/cases?" + filter);
            var expected = listed.Where(r => r == lansdown.Reference || r == marys.Reference).ToList();
            (await RefsAsync(admin, "/cases?q=pothol&" + filter)).ShouldBe(expected, ignoreOrder: true, $"filter \"{filter}\"");
        }

        (await RefsAsync(admin, "/cases?q=pothol")).ShouldBe([lansdown.Reference], "open cases only by default: the merged duplicate is closed");
    }

    [Fact]
    public async Task Search_keeps_team_scoping()
    {
        var corpus = await SharedCorpusAsync();
        // Agents are in Customer Services only: they see the General cases, not the Highways or Waste ones.
        var agent = await StaffClient.SignInAsync(factory, corpus.Org, "Agent");
        (await RefsAsync(agent, "/cases?allStatuses=true&q=pothole")).ShouldBeEmpty();
        (await RefsAsync(agent, "/cases?allStatuses=true&q=" + corpus.Cases["sofa"].Reference)).ShouldBeEmpty("a reference does not reach past the team either");
        (await RefsAsync(agent, "/cases?allStatuses=true&q=42 bath")).ShouldBe([corpus.Cases["light"].Reference]);

        var other = await TestOrganisation.CreateAsync(factory);
        var outsider = await StaffClient.SignInAsync(factory, other, "Admin");
        (await RefsAsync(outsider, "/cases?allStatuses=true&q=pothole")).ShouldBeEmpty("another organisation's cases are never found");
    }

    [Fact]
    public async Task Search_combines_with_the_other_filters_and_the_exports()
    {
        var corpus = await SharedCorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");
        (await RefsAsync(admin, $"/cases?allStatuses=true&q=road&service={CaseTestData.Potholes}")).ShouldBe([corpus.Cases["lansdown"].Reference]);
        (await RefsAsync(admin, $"/cases?allStatuses=true&q=road&team={corpus.Org.Teams["Customer Services"]}")).ShouldBe([corpus.Cases["light"].Reference]);

        var csv = await admin.GetStringAsync("/cases/export.csv?allStatuses=true&q=pothol");
        csv.ShouldContain(corpus.Cases["lansdown"].Reference);
        csv.ShouldContain(corpus.Cases["marys"].Reference);
        csv.ShouldNotContain(corpus.Cases["sofa"].Reference);
    }

    [Fact]
    public async Task The_database_answers_from_its_full_text_index()
    {
        await SharedCorpusAsync();
        await using var scope = factory.ScopeFor(null);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var query = TextQuery.Parse("pothole lansdown")!;
        await db.Database.OpenConnectionAsync();
        await using var cmd = db.Cases.IgnoreQueryFilters().Matching(db, query).Select(c => c.Id).CreateDbCommand();
        if (db.Provider == DatabaseProvider.Postgres)
        {
            // A seven-case table is cheaper to scan; forbid that to see whether the index can be used at all, which it
            // cannot if CaseSearch.PostgresDocument and the migration's index expression ever differ.
            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
            cmd.CommandText = "EXPLAIN " + cmd.CommandText;
        }
        else
        {
            cmd.CommandText = "EXPLAIN QUERY PLAN " + cmd.CommandText;
        }

        var plan = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetValue(reader.FieldCount - 1).ToString()!);
            }
        }

        var text = string.Join('\n', plan);
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan");
            text.ShouldContain("IX_Cases_Search", customMessage: text);
        }
        else
        {
            text.ShouldContain("VIRTUAL TABLE INDEX", customMessage: text);
            text.ShouldNotContain("SCAN \"Cases\"", customMessage: text);
        }
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task The_index_order_form_finds_the_same_cases_as_the_set_form(string query, string[] expected)
    {
        // MatchingInIndexOrder writes the match differently ("Id + 0" on SQLite) so the planner can walk the sort's
        // index; it must not change which cases match.
        var corpus = await SharedCorpusAsync();
        await using var scope = factory.ScopeFor(corpus.Org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var text = TextQuery.Parse(query);
        if (text is null)
        {
            return;
        }

        var bySet = await db.Cases.Matching(db, text).Select(c => c.Reference).ToListAsync();
        var byIndexOrder = await db.Cases.MatchingInIndexOrder(db, text).Select(c => c.Reference).ToListAsync();
        byIndexOrder.ShouldBe(bySet, ignoreOrder: true, $"search \"{query}\"");
        byIndexOrder.ShouldBe(expected.Select(k => corpus.Cases[k].Reference), ignoreOrder: true, $"search \"{query}\"");
        var sofa = corpus.Cases["sofa"].Reference;
        (await db.Cases.MatchingInIndexOrder(db, TextQuery.Parse(sofa.ToLowerInvariant())!).Select(c => c.Reference).ToListAsync())
            .ShouldContain(sofa, "a reference typed exactly");
    }

    [Fact]
    public async Task Triggers_lost_to_a_table_rebuild_are_restored_at_start_up_and_the_index_rebuilt()
    {
        var corpus = await CorpusAsync();
        await using var scope = factory.ScopeFor(corpus.Org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        if (db.Provider == DatabaseProvider.Postgres)
        {
            (await SearchIndexes.EnsureAsync(db, CancellationToken.None)).ShouldBeEmpty("expression indexes need no triggers");
            return;
        }

        (await SearchIndexes.EnsureAsync(db, CancellationToken.None)).ShouldBeEmpty("nothing is missing on a migrated database");
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER cd_case_search_ins");
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER cd_case_search_upd");
        var late = await CaseTestData.CaseAsync(factory, corpus.Org, "Abandoned trolley in the brook", CaseTestData.General);
        var light = corpus.Cases["light"];
        await db.Cases.Where(c => c.Id == light.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Title, "Lamp post leaning"));
        var admin = await StaffClient.SignInAsync(factory, corpus.Org, "Admin");
        (await RefsAsync(admin, "/cases?q=trolley")).ShouldBeEmpty("without its trigger the index misses the new case");

        (await SearchIndexes.EnsureAsync(db, CancellationToken.None)).ShouldBe(["CaseSearch"]);
        (await RefsAsync(admin, "/cases?q=trolley")).ShouldBe([late.Reference]);
        (await RefsAsync(admin, "/cases?q=leaning")).ShouldBe([light.Reference]);
        var after = await CaseTestData.CaseAsync(factory, corpus.Org, "Trolley in the canal", CaseTestData.General);
        (await RefsAsync(admin, "/cases?q=trolley")).ShouldBe([late.Reference, after.Reference], ignoreOrder: true);
        await AssertIndexIntactAsync();
    }

    private Corpus? shared;

    // The read-only tests share one corpus (the class fixture keeps one database; xunit makes a new class per test).
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<CivicDeskFactory, Corpus> Shared = [];

    private async Task<Corpus> SharedCorpusAsync()
    {
        if (shared is not null)
        {
            return shared;
        }

        await Gate.WaitAsync();
        try
        {
            if (!Shared.TryGetValue(factory, out var corpus))
            {
                corpus = await CorpusAsync();
                Shared[factory] = corpus;
            }

            return shared = corpus;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>On SQLite, FTS5's own check that the index agrees with the Cases table (an error otherwise).</summary>
    private async Task AssertIndexIntactAsync()
    {
        if (CivicDeskFactory.Provider == DatabaseProvider.Sqlite)
        {
            await CaseTestData.WithDbAsync(factory, 0, db =>
                db.Database.ExecuteSqlRawAsync("""INSERT INTO "CaseSearch" ("CaseSearch", rank) VALUES ('integrity-check', 1)"""));
        }
    }

    private static async Task<List<string>> RefsAsync(HttpClient client, string path)
    {
        var page = await InboxTestData.GetPageAsync(client, path);
        return page.QuerySelectorAll("[data-case-row] th a").Select(a => a.TextContent.Trim()).ToList();
    }
}
