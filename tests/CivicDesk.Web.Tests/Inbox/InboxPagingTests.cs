using AngleSharp.Html.Dom;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Inbox;

/// <summary>Keyset paging of the inbox (Next/Previous with opaque cursors), capped counts and the inbox text search.</summary>
public sealed class InboxPagingTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private static readonly Priority[] Priorities = [Priority.Low, Priority.Normal, Priority.High, Priority.Urgent];

    /// <summary>Conversations straight into the table: varied priority and urgency, and runs of identical creation times (ties on the id).</summary>
    private async Task<List<Conversation>> ConversationsAsync(TestOrganisation org, int count, DateTime? start = null, long? teamId = null,
        Func<int, string>? subject = null)
    {
        var t0 = start ?? DateTime.UtcNow.AddHours(-1);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var rows = Enumerable.Range(0, count).Select(i => new Conversation
        {
            OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = References.NewConversationReference(),
            CitizenHandle = "citizen-" + i, Subject = subject?.Invoke(i) ?? "Bin not collected " + i,
            Priority = Priorities[i * 7 % 4], IsUrgent = i % 11 == 0, AssignedTeamId = teamId ?? org.Teams["Customer Services"],
            // Three conversations share each second: the id breaks the tie.
            CreatedAt = t0.AddSeconds(i / 3), UpdatedAt = t0, LastMessageAt = t0,
        }).ToList();
        db.Conversations.AddRange(rows);
        await db.SaveChangesAsync();
        return rows;
    }

    private static int Rank(Priority p) => p switch { Priority.Urgent => 3, Priority.High => 2, Priority.Normal => 1, _ => 0 };

    private static List<string> Expected(IEnumerable<Conversation> all, InboxSort sort) => (sort switch
    {
        InboxSort.Newest => all.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
        InboxSort.Oldest => all.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
        _ => all.OrderByDescending(c => c.IsUrgent).ThenByDescending(c => Rank(c.Priority)).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id),
    }).Select(c => c.Reference).ToList();

    private static string? Link(IHtmlDocument page, string rel) =>
        page.QuerySelector($".govuk-pagination a[rel={rel}]")?.GetAttribute("href");

    /// <summary>Follows Next from <paramref name="path"/> to the end; the pages in order.</summary>
    private static async Task<List<IHtmlDocument>> WalkAsync(HttpClient client, string path, Func<Task>? betweenPages = null)
    {
        var pages = new List<IHtmlDocument>();
        string? next = path;
        while (next is not null)
        {
            pages.Add(await InboxTestData.GetPageAsync(client, next));
            next = Link(pages[^1], "next");
            if (next is not null && betweenPages is not null)
            {
                await betweenPages();
            }

            pages.Count.ShouldBeLessThan(20, "paging must end");
        }

        return pages;
    }

    [Theory]
    [InlineData(InboxSort.Priority)]
    [InlineData(InboxSort.Newest)]
    [InlineData(InboxSort.Oldest)]
    public async Task Next_and_previous_walk_every_conversation_once_in_sort_order(InboxSort sort)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var all = await ConversationsAsync(org, 130);
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);

        var pages = await WalkAsync(admin, "/inbox?sort=" + sort);
        pages.Count.ShouldBe(3);
        pages.SelectMany(InboxTestData.References).ShouldBe(Expected(all, sort));
        pages[0].QuerySelector("#inbox-summary")!.TextContent.ShouldContain("Showing 1 to 50 of 130");
        pages[1].QuerySelector("#inbox-summary")!.TextContent.ShouldContain("Showing 51 to 100 of 130");
        pages[2].QuerySelector("#inbox-summary")!.TextContent.ShouldContain("Showing 101 to 130 of 130");
        Link(pages[0], "prev").ShouldBeNull();
        Link(pages[2], "next").ShouldBeNull();
        if (sort != InboxSort.Priority)
        {
            Link(pages[1], "next")!.ShouldContain("sort=" + sort, Shouldly.Case.Sensitive, "the cursor link keeps the filters");
        }

        // Back from the last page: the same pages, in the same order.
        var back2 = await InboxTestData.GetPageAsync(admin, Link(pages[2], "prev")!);
        InboxTestData.References(back2).ShouldBe(InboxTestData.References(pages[1]));
        back2.QuerySelector("#inbox-summary")!.TextContent.ShouldContain("Showing 51 to 100 of 130");
        var back1 = await InboxTestData.GetPageAsync(admin, Link(back2, "prev")!);
        InboxTestData.References(back1).ShouldBe(InboxTestData.References(pages[0]));
        Link(back1, "prev").ShouldBeNull("the first page has no previous");
    }

    [Theory]
    [InlineData(InboxSort.Newest)]
    [InlineData(InboxSort.Priority)]
    public async Task Conversations_arriving_between_pages_neither_repeat_nor_hide_a_row(InboxSort sort)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var all = await ConversationsAsync(org, 120, DateTime.UtcNow.AddHours(-2));
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var arrivals = 0;

        var pages = await WalkAsync(admin, "/inbox?sort=" + sort, async () =>
        {
            // New work arrives while the person reads: newer than everything listed.
            arrivals += 5;
            await ConversationsAsync(org, 5, DateTime.UtcNow);
        });

        var seen = pages.SelectMany(InboxTestData.References).ToList();
        seen.ShouldBeUnique("no conversation is listed twice");
        all.Select(c => c.Reference).Except(seen).ShouldBeEmpty("no conversation there from the start is skipped");
        arrivals.ShouldBeGreaterThan(0);
        // In sort order, the rows there from the start keep their relative order.
        seen.Where(all.Select(c => c.Reference).Contains).ShouldBe(Expected(all, sort));
    }

    [Fact]
    public async Task A_bad_cursor_shows_the_first_page()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var all = await ConversationsAsync(org, 60);
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var first = InboxTestData.References(await InboxTestData.GetPageAsync(admin, "/inbox"));
        var next = Link(await InboxTestData.GetPageAsync(admin, "/inbox"), "next")!;
        var cursor = Uri.UnescapeDataString(next[(next.IndexOf("after=", StringComparison.Ordinal) + 6)..]);
        var tampered = cursor[..10] + (cursor[10] == 'A' ? 'B' : 'A') + cursor[11..];

        foreach (var bad in new[] { "garbage", "", "%00", tampered, cursor[..^4], new string('A', 5000), "\"<script>", "AAAA" })
        {
            var page = await InboxTestData.GetPageAsync(admin, "/inbox?after=" + Uri.EscapeDataString(bad));
            InboxTestData.References(page).ShouldBe(first, $"after={bad}");
            page = await InboxTestData.GetPageAsync(admin, "/inbox?before=" + Uri.EscapeDataString(bad));
            InboxTestData.References(page).ShouldBe(first, $"before={bad}");
        }

        // A cursor made for another sort order is not applied to this one.
        var oldest = InboxTestData.References(await InboxTestData.GetPageAsync(admin, "/inbox?sort=Oldest"));
        InboxTestData.References(await InboxTestData.GetPageAsync(admin, "/inbox?sort=Oldest&after=" + Uri.EscapeDataString(cursor))).ShouldBe(oldest);
        all.Count.ShouldBe(60);
    }

    [Fact]
    public async Task Paging_keeps_team_scoping_even_with_another_persons_cursor()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var mine = await ConversationsAsync(org, 70, teamId: org.Teams["Customer Services"]);
        var theirs = await ConversationsAsync(org, 70, teamId: org.Teams["Highways"]);
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);

        var agentPages = await WalkAsync(agent, "/inbox?sort=Oldest");
        agentPages.SelectMany(InboxTestData.References).ShouldBe(Expected(mine, InboxSort.Oldest));

        // The admin's cursor points into Highways' rows; in the agent's hands it only positions the agent's own list.
        var adminNext = Link(await InboxTestData.GetPageAsync(admin, "/inbox?sort=Oldest"), "next")!;
        var page = await InboxTestData.GetPageAsync(agent, adminNext);
        InboxTestData.References(page).ShouldNotBeEmpty();
        InboxTestData.References(page).ShouldAllBe(r => mine.Select(c => c.Reference).Contains(r));
        InboxTestData.References(page).Intersect(theirs.Select(c => c.Reference)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Counts_stop_at_a_thousand()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await ConversationsAsync(org, InboxFilter.CountCap + 5);
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var page = await InboxTestData.GetPageAsync(admin, "/inbox");
        page.QuerySelector("#inbox-summary")!.TextContent.ShouldContain("Showing 1 to 50 of more than 1,000 conversations");
        page.QuerySelector("#count-status-New")!.TextContent.ShouldBe("(1,000+)");
        page.QuerySelector("#count-team-" + org.Teams["Customer Services"])!.TextContent.ShouldBe("(1,000+)");
        page.QuerySelector("#count-team-" + org.Teams["Highways"])!.TextContent.ShouldBe("(0)");
        page.QuerySelector("#count-status-Closed")!.TextContent.ShouldBe("(0)");
    }

    [Fact]
    public async Task Text_search_finds_reference_subject_handle_and_name_by_word_starts()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var subjects = new[] { "Pothole on Lansdown Road", "Sofa dumped in Hatherley Lane", "Streetlight out on Bath Road", "Bins missed again!" };
        var rows = await ConversationsAsync(org, 4, subject: i => subjects[i]);
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var bins = await db.Conversations.SingleAsync(c => c.Id == rows[3].Id);
            bins.CitizenName = "Siân Evans";
            bins.CitizenHandle = "@sian_evans@mastodon.social";
            await db.SaveChangesAsync();
        }

        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        async Task<IReadOnlyList<string>> FindAsync(string q) =>
            InboxTestData.References(await InboxTestData.GetPageAsync(admin, "/inbox?q=" + Uri.EscapeDataString(q)));

        (await FindAsync("pothol")).ShouldBe([rows[0].Reference]);
        (await FindAsync("ROAD")).ShouldBe(new[] { rows[0].Reference, rows[2].Reference }, ignoreOrder: true);
        (await FindAsync("road bath")).ShouldBe([rows[2].Reference]);
        (await FindAsync("siân")).ShouldBe([rows[3].Reference]);
        (await FindAsync("sian_evans")).ShouldBe([rows[3].Reference], "the handle, read as words");
        (await FindAsync(rows[1].Reference.ToLowerInvariant())).ShouldBe([rows[1].Reference]);
        (await FindAsync("dumped \"AND\" (")).ShouldBeEmpty("every word must match; syntax is only words");
        (await FindAsync("*")).ShouldBeEmpty();
        var note = await InboxTestData.GetPageAsync(admin, "/inbox?q=%22");
        note.GetElementById("inbox-search-note")!.TextContent.ShouldContain("no letters or numbers");

        // A new subject is found by its words, the old one no longer.
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await db.Conversations.Where(c => c.Id == rows[1].Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Subject, "Mattress by the river"));
        }

        (await FindAsync("mattress")).ShouldBe([rows[1].Reference]);
        (await FindAsync("sofa")).ShouldBeEmpty();

        // The search and the counts agree, and paging carries the search.
        var page = await InboxTestData.GetPageAsync(admin, "/inbox?q=road");
        page.QuerySelector("#count-status-New")!.TextContent.ShouldBe("(2)");
        page.QuerySelector("#inbox-summary")!.TextContent.ShouldContain("of 2 conversations");
    }

    [Fact]
    public async Task A_word_start_finds_every_word_it_starts_however_many_there_are()
    {
        // "road" starts three indexed words (searched as those words on SQLite), "lamp" more than AlwaysExpandBelow few-document words (searched
        // as a prefix), "zebra" none: each finds what a prefix finds, alone and with another word.
        var org = await TestOrganisation.CreateAsync(factory);
        var lamps = Fts5Vocabulary.AlwaysExpandBelow + 3;
        string Subject(int i) => i switch
        {
            0 => "Road closed",
            1 => "Roads flooded near lamppost" + i,
            2 => "Roadworks all week",
            3 => "Broad verge uncut",
            _ => "Faulty lamp" + (char)('a' + (i - 4) % 26) + (i - 4) / 26,
        };
        var rows = await ConversationsAsync(org, 4 + lamps, subject: Subject);
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        async Task<IReadOnlyList<string>> FindAsync(string q) =>
            InboxTestData.References(await InboxTestData.GetPageAsync(admin, "/inbox?q=" + Uri.EscapeDataString(q)));

        (await FindAsync("road")).ShouldBe(rows[..3].Select(r => r.Reference), ignoreOrder: true, "not \"broad\": a word's start");
        (await FindAsync("roadwork")).ShouldBe([rows[2].Reference]);
        (await FindAsync("lamp")).ShouldBe(rows[1..2].Concat(rows[4..]).Select(r => r.Reference), ignoreOrder: true);
        (await FindAsync("road lamp")).ShouldBe([rows[1].Reference]);
        (await FindAsync("lampc0 faulty")).ShouldBe([rows[6].Reference]);
        (await FindAsync("zebra")).ShouldBeEmpty();
        (await FindAsync("road zebra")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Text_search_keeps_team_scoping()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var highways = await ConversationsAsync(org, 1, teamId: org.Teams["Highways"], subject: _ => "Pothole on the A38");
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        InboxTestData.References(await InboxTestData.GetPageAsync(agent, "/inbox?q=pothole")).ShouldBeEmpty();
        InboxTestData.References(await InboxTestData.GetPageAsync(agent, "/inbox?q=" + highways[0].Reference)).ShouldBeEmpty();
        var other = await TestOrganisation.CreateAsync(factory);
        var outsider = await StaffClient.SignInAsync(factory, other, Roles.Admin);
        InboxTestData.References(await InboxTestData.GetPageAsync(outsider, "/inbox?q=pothole")).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_inbox_search_and_pages_use_their_indexes()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await ConversationsAsync(org, 3);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var postgres = db.Provider == DatabaseProvider.Postgres;
        await db.Database.OpenConnectionAsync();
        if (postgres)
        {
            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
        }

        async Task<string> PlanAsync(IQueryable<long> q)
        {
            await using var cmd = q.CreateDbCommand();
            cmd.CommandText = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + cmd.CommandText;
            var lines = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetValue(reader.FieldCount - 1).ToString()!);
            }

            return string.Join('\n', lines);
        }

        var search = await PlanAsync(ConversationSearch.Newest(db, TextQuery.Parse("bin collected")!, org.Id, InboxQuery.TextMatchLimit));
        search.ShouldContain(postgres ? "IX_ConversationSearchDocuments_Document" : "VIRTUAL TABLE INDEX", customMessage: search);

        // The first page of "urgent and highest priority first" reads one segment's run of one status in index order: no sort of every row.
        var open = InboxFilter.OpenStatuses.ToList();
        var (urgent, priority, status) = (true, Priority.Urgent, ConversationStatus.New);
        var first = await PlanAsync(db.Conversations.Where(c => open.Contains(c.Status) && c.IsUrgent == urgent && c.Priority == priority && c.Status == status)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(51).Select(c => c.Id));
        if (!postgres)
        {
            // PostgreSQL's planner picks among indexes by statistics a three-row table does not have; bench inbox measures it.
            first.ShouldContain("IX_Conversations_OrganisationId_IsUrgent_Priority_Status_CreatedAt_Id", customMessage: first);
            first.ShouldNotContain("TEMP B-TREE", customMessage: first);
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan");
        }
    }

    [Fact]
    public async Task Rare_filters_read_their_partial_indexes_whatever_the_statistics_say()
    {
        // With full statistics on a table where no conversation needs a human and none is assigned to a person (as on
        // the 10 M benchmark file), a plain index on the flag or the person reads as "every row", and SQLite scanned the
        // whole table for these filters (bench/README.md, session 16). The partial indexes hold only the rare rows.
        var org = await TestOrganisation.CreateAsync(factory);
        await ConversationsAsync(org, 40);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var postgres = db.Provider == DatabaseProvider.Postgres;
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("ANALYZE \"Conversations\"");
        if (postgres)
        {
            // A small table is cheaper to scan; forbid that to see whether the partial index can answer at all.
            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
        }

        async Task<string> PlanAsync(IQueryable<Conversation> q)
        {
            await using var cmd = q.Select(c => new { c.Id, c.CreatedAt, c.IsUrgent, c.Priority, c.AssignedTeamId }).CreateDbCommand();
            cmd.CommandText = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + cmd.CommandText;
            var lines = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetValue(reader.FieldCount - 1).ToString()!);
            }

            return string.Join('\n', lines);
        }

        var now = DateTime.UtcNow;
        var needsHuman = await PlanAsync(new InboxFilter { NeedsHuman = true }.Apply(db.Conversations, now, "someone", []));
        needsHuman.ShouldContain("IX_Conversations_NeedsHuman", customMessage: needsHuman);
        var mine = await PlanAsync(new InboxFilter { Mine = true }.Apply(db.Conversations, now, "someone", []));
        // PostgreSQL cuts identifiers at 63 bytes ("…_Assigne~").
        mine.ShouldContain("IX_Conversations_AssignedStaffId_OrganisationId_Status_Assigne", customMessage: mine);
        if (postgres)
        {
            await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan");
        }
    }
}
