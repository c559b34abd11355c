using AngleSharp.Html.Dom;
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
/// The case list counts up to <see cref="CaseFilter.CountCap"/> and says "more than 1,000" past it, as the inbox does;
/// the pages of a search with that many matches are read along the sort's index (<see cref="CaseSearch.MatchingInIndexOrder"/>)
/// and must be the same rows, in the same order, as sorting every match. Runs on SQLite and PostgreSQL.
/// </summary>
public sealed class CaseListCountCapTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private const int Highways = CaseFilter.CountCap + 5;

    private sealed record Corpus(TestOrganisation Org, List<Case> All, List<Case> General);

    // The tests only read, so they share one corpus per database (xunit makes a new class per test).
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<CivicDeskFactory, Corpus> Shared = [];

    /// <summary>
    /// 1,005 Highways cases and 3 Customer Services ones, all about potholes, straight into the table (the search
    /// indexes follow by trigger or expression). Creation times run against the ids and come in threes, and due times
    /// in fours, so a page in id order would be wrong and the id must break ties. Every priority occurs, each spanning
    /// several pages, and one case in five has no due time, so the runs of <see cref="CaseFilter.SortedRuns"/> meet
    /// inside pages.
    /// </summary>
    private async Task<Corpus> CorpusAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (!Shared.TryGetValue(factory, out var corpus))
            {
                corpus = await NewCorpusAsync();
                Shared[factory] = corpus;
            }

            return corpus;
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<Corpus> NewCorpusAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var t0 = new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);
        Case Make(int i, string service, long team) => new()
        {
            OrganisationId = org.Id, Reference = References.NewCaseReference(), ServiceCode = service, TeamId = team,
            Title = $"Pothole number {i}", Description = "Deep pothole by the kerb", Source = CaseSource.Staff,
            CreatedAt = t0.AddMinutes(-((i * 37 % Highways) / 3)), UpdatedAt = t0,
            Priority = i % 9 == 0 ? Priority.Urgent : i % 4 == 0 ? Priority.High : i % 13 == 0 ? Priority.Low : Priority.Normal,
            DueAt = i % 5 == 0 ? null : t0.AddHours((i * 53 % Highways) / 4),
        };
        var highways = Enumerable.Range(0, Highways).Select(i => Make(i, CaseTestData.Potholes, org.Teams["Highways"])).ToList();
        var general = Enumerable.Range(0, 3).Select(i => Make(Highways + i, CaseTestData.General, org.Teams["Customer Services"])).ToList();
        await CaseTestData.WithDbAsync(factory, org.Id, db =>
        {
            db.Cases.AddRange(highways);
            db.Cases.AddRange(general);
            return db.SaveChangesAsync();
        });
        return new Corpus(org, [.. highways, .. general], general);
    }

    private static List<string> Newest(IEnumerable<Case> cases) =>
        cases.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Select(c => c.Reference).ToList();

    /// <summary>Every case in the order of <see cref="CaseFilter.Sorted"/>, computed here.</summary>
    private static List<string> InOrder(IEnumerable<Case> cases, CaseSort sort) => (sort switch
    {
        CaseSort.Priority => cases.OrderByDescending(c => (int)c.Priority).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id),
        CaseSort.Due => cases.OrderBy(c => c.DueAt is null).ThenBy(c => c.DueAt).ThenBy(c => c.Id),
        CaseSort.Oldest => cases.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
        _ => cases.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
    }).Select(c => c.Reference).ToList();

    private static List<string> Refs(IHtmlDocument page) =>
        page.QuerySelectorAll("[data-case-row] th a").Select(a => a.TextContent.Trim()).ToList();

    private static string Summary(IHtmlDocument page) => page.GetElementById("case-summary")!.TextContent.Trim();

    [Fact]
    public async Task Over_the_cap_the_list_says_more_than_and_pages_in_the_true_order()
    {
        var c = await CorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, c.Org, "Admin");
        var newest = Newest(c.All);

        var first = await InboxTestData.GetPageAsync(admin, "/cases?q=pothole");
        Summary(first).ShouldBe("Showing 1 to 50 of more than 1,000 cases. Exports include every page.");
        Refs(first).ShouldBe(newest[..50]);
        first.QuerySelector(".govuk-pagination a[rel=next]").ShouldNotBeNull();
        first.QuerySelector(".govuk-pagination a[aria-label='Page 21']").ShouldNotBeNull("1,001 cases fill 21 pages at least");
        first.QuerySelector(".govuk-pagination a[aria-label='Page 22']").ShouldBeNull("past the cap the last page is not known");

        var second = await InboxTestData.GetPageAsync(admin, "/cases?q=pothole&page=2");
        Refs(second).ShouldBe(newest[50..100]);
        Summary(second).ShouldStartWith("Showing 51 to 100 of more than 1,000 cases");

        var last = await InboxTestData.GetPageAsync(admin, "/cases?q=pothole&page=21");
        Refs(last).ShouldBe(newest[1000..], "the last page holds the 1,001st to 1,008th");
        last.QuerySelector(".govuk-pagination a[rel=next]").ShouldBeNull();

        var past = await InboxTestData.GetPageAsync(admin, "/cases?q=pothole&page=22");
        Refs(past).ShouldBeEmpty();
        Summary(past).ShouldContain("There is no page 22");

        var oldest = await InboxTestData.GetPageAsync(admin, "/cases?q=pothole&sort=Oldest");
        Refs(oldest).ShouldBe(c.All.OrderBy(x => x.CreatedAt).ThenBy(x => x.Id).Select(x => x.Reference).Take(50).ToList());
        var priority = await InboxTestData.GetPageAsync(admin, "/cases?q=pothole&sort=Priority&page=3");
        Refs(priority).ShouldBe(InOrder(c.All, CaseSort.Priority)[100..150], "the urgent cases end inside page 3");
        Summary(priority).ShouldStartWith("Showing 101 to 150 of more than 1,000 cases");
    }

    [Theory]
    [InlineData(CaseSort.Priority)]
    [InlineData(CaseSort.Due)]
    [InlineData(CaseSort.Oldest)]
    public async Task Every_page_over_the_cap_holds_the_next_cases_of_the_true_order(CaseSort sort)
    {
        var c = await CorpusAsync();
        var admin = new StaffViewer("count-cap-admin", "Admin", new HashSet<string> { Roles.Admin }, new HashSet<long>(), false, true);
        var read = new List<string>();
        for (var page = 1; page <= 22; page++)
        {
            await using var scope = factory.ScopeFor(c.Org.Id);
            var filter = new CaseFilter { Q = "pothole", Sort = sort, Page = page };
            var result = await scope.ServiceProvider.GetRequiredService<CaseList>().PageAsync(filter, admin, DateTime.UtcNow, CancellationToken.None);
            result.TotalCapped.ShouldBeTrue();
            result.HasNext.ShouldBe(page < 21, $"page {page}");
            read.AddRange(result.Rows.Select(r => r.Reference));
        }

        // Page by page (priority runs meet inside pages 3, 7 and 20, the dated and undated cases inside page 17), the
        // pages are the whole order.
        read.ShouldBe(InOrder(c.All, sort));
    }

    [Fact]
    public async Task Under_the_cap_the_count_is_exact()
    {
        var c = await CorpusAsync();
        var admin = await StaffClient.SignInAsync(factory, c.Org, "Admin");
        var page = await InboxTestData.GetPageAsync(admin, $"/cases?q=pothole&team={c.Org.Teams["Customer Services"]}");
        Summary(page).ShouldBe("Showing 1 to 3 of 3 cases. Exports include every page.");
        Refs(page).ShouldBe(Newest(c.General));

        var exactly = await InboxTestData.GetPageAsync(admin, "/cases?q=pothole+number+1");
        Summary(exactly).ShouldContain(" of 1 case.", customMessage: "\"number\" matches all, \"1\" alone only the case numbered 1");
    }

    [Fact]
    public async Task Team_scoping_stays_exact_when_the_organisation_has_more_than_the_cap()
    {
        var c = await CorpusAsync();
        // Agents are in Customer Services only: three of the 1,008 matches are theirs, and the count says three.
        var agent = await StaffClient.SignInAsync(factory, c.Org, "Agent");
        var page = await InboxTestData.GetPageAsync(agent, "/cases?q=pothole");
        Summary(page).ShouldBe("Showing 1 to 3 of 3 cases. Exports include every page.");
        Refs(page).ShouldBe(Newest(c.General));
        Refs(await InboxTestData.GetPageAsync(agent, "/cases?q=pothole&sort=Oldest")).ShouldBe(Enumerable.Reverse(Newest(c.General)).ToList());
    }

    [Theory]
    [InlineData(CaseSort.Newest, "IX_Cases_OrganisationId_CreatedAt")]
    [InlineData(CaseSort.Priority, "IX_Cases_OrganisationId_Priority_CreatedAt_Id")]
    [InlineData(CaseSort.Due, "IX_Cases_OrganisationId_DueAt_Id")]
    public async Task A_page_of_many_matches_reads_the_sort_index_not_every_match(CaseSort sort, string index)
    {
        var c = await CorpusAsync();
        await using var scope = factory.ScopeFor(c.Org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        if (db.Provider != DatabaseProvider.Sqlite)
        {
            // PostgreSQL chooses between the two plans by its statistics (MatchingInIndexOrder leaves it the plain query).
            return;
        }

        // The first run of the sort, with the list's default filter (the open statuses), as CaseList.PageAsync reads it.
        var query = TextQuery.Parse("pothole")!;
        var filtered = new CaseFilter { Q = "pothole", Sort = sort }.Apply(db.Cases, DateTime.UtcNow, "count-cap-admin");
        await db.Database.OpenConnectionAsync();
        await using var cmd = CaseFilter.SortedRuns(filtered.MatchingInIndexOrder(db, query), sort)[0].Take(51).Select(x => x.Id).CreateDbCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + cmd.CommandText;
        var plan = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetValue(reader.FieldCount - 1).ToString()!);
            }
        }

        var text = string.Join('\n', plan);
        text.ShouldContain(index, customMessage: text);
        text.ShouldNotContain("TEMP B-TREE FOR ORDER BY", customMessage: text);
    }
}
