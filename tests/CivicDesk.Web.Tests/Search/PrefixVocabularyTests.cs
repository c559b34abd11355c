using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Cases;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Case = CivicDesk.Web.Domain.Case;

namespace CivicDesk.Web.Tests.Search;

/// <summary>
/// A prefix read as the indexed words it starts (<see cref="Fts5Vocabulary"/>, SQLite) finds exactly what the prefix
/// finds, whichever way the rule reads it: the inbox and the case search, each word forced to the OR of its words
/// (threshold 0), to the plain prefix (threshold int.MaxValue) and left to the rule, against a brute force over the
/// indexed columns computed here. "bin" starts 43 other words (more than the 32 always read as words), "bins1" eleven,
/// "bi" (two letters) matches only itself; "cabin" and "robin" contain "bin" but do not start with it. PostgreSQL has
/// no vocabulary (its searches ignore the threshold) and must give the same answers.
/// </summary>
public sealed class PrefixVocabularyTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private static readonly string[] Texts = BuildTexts();

    private static readonly string[] Queries = ["bin", "bins", "bins1", "bins12", "binday", "bind", "bi", "bin faulty", "bins3 lid", "cabin", "zebra", "bin zebra"];

    private static readonly int[] Thresholds = [0, int.MaxValue, Fts5Vocabulary.MinDocumentsPerWord];

    private static string[] BuildTexts()
    {
        var texts = new List<string> { "Bin not collected", "Bins left out", "Binday missed", "Bind the lid", "Cabin roof", "Robin nest", "Bi weekly" };
        // 40 more words starting "bins": with the four above, "bin" starts more than AlwaysExpandBelow words.
        for (var i = 0; i < 40; i++)
        {
            texts.Add($"Bins{i} faulty" + (i % 3 == 0 ? " lid" : ""));
        }

        return [.. texts];
    }

    private static readonly Regex Separators = new(@"[^\p{L}\p{M}\p{Nd}]+", RegexOptions.Compiled);

    /// <summary>True when every word of the query starts a word of the text (three or more characters) or is one.</summary>
    private static bool BruteForce(string query, params string?[] columns)
    {
        var tokens = columns.SelectMany(c => Separators.Split((c ?? "").ToLowerInvariant())).Where(t => t.Length > 0).ToList();
        return TextQuery.Parse(query)!.Words.All(w => tokens.Any(t => TextQuery.IsPrefix(w) ? t.StartsWith(w, StringComparison.Ordinal) : t == w));
    }

    [Fact]
    public async Task The_inbox_search_finds_what_the_prefix_finds_however_the_word_is_read()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var t0 = DateTime.UtcNow.AddHours(-1);
        var rows = Texts.Select((text, i) => new Conversation
        {
            OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = References.NewConversationReference(),
            CitizenHandle = "citizen-" + i, Subject = text, Priority = Priority.Normal, AssignedTeamId = org.Teams["Customer Services"],
            CreatedAt = t0.AddSeconds(i), UpdatedAt = t0, LastMessageAt = t0,
        }).ToList();
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.Conversations.AddRange(rows);
        await db.SaveChangesAsync();

        foreach (var q in Queries)
        {
            var expected = rows.Where(c => BruteForce(q, c.Reference, c.Subject, c.CitizenHandle, c.CitizenName))
                .OrderByDescending(c => c.Id).Select(c => c.Id).ToList();
            expected.Count.ShouldBeLessThan(rows.Count, q);
            foreach (var threshold in Thresholds)
            {
                var found = await ConversationSearch.Newest(db, TextQuery.Parse(q)!, org.Id, 1000, threshold).ToListAsync();
                found.ShouldBe(expected, $"\"{q}\", threshold {threshold}");
            }
        }
    }

    [Fact]
    public async Task The_case_search_finds_what_the_prefix_finds_however_the_word_is_read()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var t0 = new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);
        var cases = Texts.Select((text, i) => new Case
        {
            OrganisationId = org.Id, Reference = References.NewCaseReference(), ServiceCode = CaseTestData.General,
            TeamId = org.Teams["Customer Services"], Title = text, Description = i % 2 == 0 ? "Reported by phone" : "Seen on the round",
            Address = i % 5 == 0 ? "Binley Road" : null, Source = CaseSource.Staff, CreatedAt = t0.AddMinutes(i), UpdatedAt = t0,
        }).ToList();
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.Cases.AddRange(cases);
        await db.SaveChangesAsync();

        foreach (var q in Queries.Append("binley"))
        {
            var expected = cases.Where(c => BruteForce(q, c.Reference, c.Title, c.Description, c.Address)).Select(c => c.Id).Order().ToList();
            expected.Count.ShouldBeLessThan(cases.Count, q);
            foreach (var threshold in Thresholds)
            {
                var ids = CaseSearch.MatchingIds(db, TextQuery.Parse(q)!, threshold);
                var found = await db.Cases.Where(c => c.OrganisationId == org.Id && ids.Contains(c.Id)).Select(c => c.Id).OrderBy(id => id).ToListAsync();
                found.ShouldBe(expected, $"\"{q}\", threshold {threshold}");
            }

            // What the list page runs (count, then the page) finds the same.
            var page = await scope.ServiceProvider.GetRequiredService<CaseList>().PageAsync(new CaseFilter { Q = q, AllStatuses = true },
                Admin, DateTime.UtcNow, CancellationToken.None);
            page.Total.ShouldBe(expected.Count, q);
            page.Rows.Select(r => r.Id).Order().ToList().ShouldBe(expected, q);
        }
    }

    /// <summary>
    /// The rule decides as documented: with the threshold at 0 "bin" is read as "bin" OR its 43 other words, at
    /// int.MaxValue as the prefix (more than 32 words), and "bins1" (eleven words) as words either way.
    /// </summary>
    [Fact]
    public async Task The_rule_reads_a_word_as_its_words_or_as_a_prefix()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        if (db.Provider == DatabaseProvider.Postgres)
        {
            // The GIN indexes need no vocabulary: both migrations of that name are empty there.
            (await db.Database.SqlQueryRaw<int>(
                """SELECT count(*)::int AS "Value" FROM information_schema.tables WHERE table_name IN ('CaseSearchTerms', 'ConversationSearchTerms')""")
                .SingleAsync()).ShouldBe(0);
            return;
        }

        db.Conversations.AddRange(Texts.Select((text, i) => new Conversation
        {
            OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = References.NewConversationReference(),
            CitizenHandle = "citizen-" + i, Subject = text, Priority = Priority.Normal, AssignedTeamId = org.Teams["Customer Services"], CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            LastMessageAt = DateTime.UtcNow,
        }));
        await db.SaveChangesAsync();

        var words = await MatchExpressionAsync(db, ConversationSearch.Fts5Match(TextQuery.Parse("bin")!, 0, minDocumentsPerWord: 0), "bin");
        words.ShouldStartWith("(\"bin\" OR \"bind\" OR \"binday\" OR \"bins\" OR \"bins0\"");
        words.ShouldNotContain("*");
        words.ShouldNotContain("cabin");
        words.Split(" OR ").Length.ShouldBe(44);
        (await MatchExpressionAsync(db, ConversationSearch.Fts5Match(TextQuery.Parse("bin")!, 0, minDocumentsPerWord: int.MaxValue), "bin"))
            .ShouldBe("\"bin\"*");
        (await MatchExpressionAsync(db, ConversationSearch.Fts5Match(TextQuery.Parse("bin")!, 0), "bin"))
            .ShouldBe("\"bin\"*", "a test's words have few documents each, so the default rule keeps the prefix");
        (await MatchExpressionAsync(db, ConversationSearch.Fts5Match(TextQuery.Parse("bins1")!, 0, minDocumentsPerWord: int.MaxValue), "bins1"))
            .ShouldBe("(\"bins1\" OR \"bins10\" OR \"bins11\" OR \"bins12\" OR \"bins13\" OR \"bins14\" OR \"bins15\" OR \"bins16\" OR \"bins17\" OR \"bins18\" OR \"bins19\")");
    }

    /// <summary>The MATCH expression the statement would search (the SQL holds placeholders only; the word is a parameter).</summary>
    private static async Task<string> MatchExpressionAsync(CivicDeskDb db, string matchSql, string word)
    {
        var sql = $"SELECT {matchSql} AS \"Value\"";
        return await db.Database.SqlQueryRaw<string>(sql, word).SingleAsync();
    }

    private static readonly StaffViewer Admin = new("admin", "Admin", new HashSet<string> { Roles.Admin }, new HashSet<long>(), false, true);
}
