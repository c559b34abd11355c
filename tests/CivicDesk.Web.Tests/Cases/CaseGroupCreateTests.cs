using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Case = CivicDesk.Web.Domain.Case;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Cases;

/// <summary>The app on a clock that stands still, so two creates made one after the other carry the same instants.</summary>
public sealed class FrozenClockFactory : CivicDeskFactory
{
    private sealed class FrozenClock : TimeProvider
    {
        private readonly DateTimeOffset _at = new(2026, 12, 5, 10, 30, 0, 123, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _at;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(new FrozenClock()));
    }
}

/// <summary>
/// Grouped creates (Open311, <see cref="CaseCreationQueue"/>) are written set-based by <see cref="CaseCommands.CreateGroupAsync"/>,
/// with no change tracking; single creates still go through EF. The rows must be the ones EF writes, value for value and
/// type for type, every case stored once, and the audit chain whole.
/// </summary>
public sealed class CaseGroupCreateTests(FrozenClockFactory factory) : IClassFixture<FrozenClockFactory>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    // Differ by construction between two cases (keys, references, tokens) or are written later by the assessment worker.
    private static readonly HashSet<string> Unique = ["Id", "Reference", "Open311Token", "ExpectedBy", "ExpectedByBasis", "AssessmentDueAt", "Sequence", "PreviousHash", "Hash", "PayloadHash"];

    private static NewCase Report(string token) => new()
    {
        ServiceCode = CaseTestData.Potholes, Title = "Pothole on Mill Lane", Description = "Two feet wide.\nBy the post box.", Source = CaseSource.Open311,
        Latitude = 51.9, Longitude = -2.07, Address = "Mill Lane, address id 12",
        Contacts = [new ReporterContact("Ada Lovelace", "ada@example.org", "07700 900123")],
        Photos = [new AttachmentInfo("hole.jpg", "image/jpeg", 1234, null, "https://example.org/hole.jpg")],
        Open311Token = token, ExternalReference = "fixmystreet:77", Actor = new CaseActor(null, "Open311: FixMyStreet"),
        InternalNote = "Open311 details from FixMyStreet:\ndepth: deep", AssessLater = true,
    };

    [Fact]
    public async Task A_grouped_create_writes_the_rows_a_single_create_writes_through_EF()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);

        var single = await CaseTestData.CommandAsync(factory, org, c => c.CreateAsync(Report("token-ef"), Ct));
        var grouped = await CaseTestData.CommandAsync(factory, org, c => c.CreateGroupedAsync(Report("token-set"), Ct));

        single.Outcome.ShouldBe(CaseOutcome.Done, single.Error);
        grouped.Outcome.ShouldBe(CaseOutcome.Done, grouped.Error);
        grouped.Case!.Id.ShouldNotBe(single.Case!.Id);
        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            foreach (var (table, key) in new[] { ("Cases", "Id"), ("CaseReporters", "CaseId"), ("CasePhotos", "CaseId"), ("CaseUpdates", "CaseId"), ("CaseEvents", "CaseId") })
            {
                var expected = await RowsAsync(db, $"""SELECT * FROM "{table}" WHERE "{key}" = @Id ORDER BY "{key}" """, single.Case);
                var actual = await RowsAsync(db, $"""SELECT * FROM "{table}" WHERE "{key}" = @Id ORDER BY "{key}" """, grouped.Case);
                expected.ShouldNotBeEmpty(table);
                actual.ShouldBe(expected, table);
            }

            const string audit = """SELECT * FROM "AuditEvents" WHERE "TargetType" = 'Case' AND "TargetId" = @Key ORDER BY "Sequence" """;
            var expectedAudit = await RowsAsync(db, audit, single.Case);
            expectedAudit.Count.ShouldBe(2, "case.created and case.note-added");
            (await RowsAsync(db, audit, grouped.Case)).ShouldBe(expectedAudit);

            // Read back through EF as the pages read it: the same case but for its keys.
            var a = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == single.Case.Id);
            var b = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == grouped.Case.Id);
            (b.Title, b.Status, b.Priority, b.Source, b.TeamId, b.CreatedAt, b.CreatedAt.Kind, b.DueAt, b.NonPublic)
                .ShouldBe((a.Title, a.Status, a.Priority, a.Source, a.TeamId, a.CreatedAt, a.CreatedAt.Kind, a.DueAt, a.NonPublic));
            (await new AuditVerifier(db).VerifyAsync(org.Id, Ct)).IsIntact.ShouldBeTrue();
            return 0;
        });
    }

    [Fact]
    public async Task A_burst_of_grouped_creates_stores_each_case_once_with_its_rows_and_keeps_the_audit_chain_whole()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            CaseTestData.CommandAsync(factory, org, c => c.CreateGroupedAsync(Report("burst-" + i.ToString(CultureInfo.InvariantCulture)), Ct))));

        results.ShouldAllBe(r => r.Outcome == CaseOutcome.Done);
        var ids = results.Select(r => r.Case!.Id).ToList();
        ids.Distinct().Count().ShouldBe(40);
        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            (await db.Cases.Where(c => ids.Contains(c.Id)).Select(c => c.Reference).ToListAsync())
                .ShouldBe(results.Select(r => r.Case!.Reference).ToList(), ignoreOrder: true);
            (await db.Cases.CountAsync(c => c.Open311Token!.StartsWith("burst-"))).ShouldBe(40);
            (await db.CaseReporters.CountAsync(r => ids.Contains(r.CaseId))).ShouldBe(40);
            (await db.CaseUpdates.CountAsync(u => ids.Contains(u.CaseId))).ShouldBe(40);
            (await db.CaseEvents.CountAsync(e => ids.Contains(e.CaseId))).ShouldBe(80, "created, then the note");
            var targets = ids.Select(id => id.ToString(CultureInfo.InvariantCulture)).ToList();
            (await db.AuditEvents.CountAsync(e => e.Action == "case.created" && targets.Contains(e.TargetId!))).ShouldBe(40);
            (await new AuditVerifier(db).VerifyAsync(org.Id, Ct)).IsIntact.ShouldBeTrue();
            return 0;
        });
    }

    [Fact]
    public async Task A_create_that_breaks_a_unique_index_fails_alone_and_leaves_nothing_behind()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        (await CaseTestData.CommandAsync(factory, org, c => c.CreateGroupedAsync(Report("taken"), Ct))).Outcome.ShouldBe(CaseOutcome.Done);

        // The token clash is found only by the database, inside the batch's transaction, like a reference another node took.
        var creates = Enumerable.Range(0, 10).Select(i => Report("fine-" + i.ToString(CultureInfo.InvariantCulture))).Append(Report("taken"))
            .Select(r => CaseTestData.CommandAsync(factory, org, c => c.CreateGroupedAsync(r, Ct))).ToList();
        Exception? clash = null;
        try
        {
            await creates[^1];
        }
        catch (Exception e)
        {
            clash = e;
        }

        clash.ShouldNotBeNull("the clashing create is refused");

        foreach (var create in creates.Take(10))
        {
            (await create).Outcome.ShouldBe(CaseOutcome.Done);
        }

        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            (await db.Cases.CountAsync()).ShouldBe(11);
            (await db.CaseReporters.CountAsync()).ShouldBe(11);
            (await db.CaseEvents.CountAsync()).ShouldBe(22);
            (await db.AuditEvents.CountAsync(e => e.Action == "case.created")).ShouldBe(11);
            (await new AuditVerifier(db).VerifyAsync(org.Id, Ct)).IsIntact.ShouldBeTrue();
            return 0;
        });
    }

    /// <summary>Each row as "column=type:value", the case's own keys and references replaced, so two cases' rows compare.</summary>
    private static async Task<List<List<string>>> RowsAsync(CivicDeskDb db, string sql, Case c)
    {
        var connection = db.Database.GetDbConnection();
        var key = c.Id.ToString(CultureInfo.InvariantCulture);
        var rows = await connection.QueryAsync(sql, new { c.Id, Key = key });
        return [.. rows.Cast<IDictionary<string, object?>>().Select(row => row
            .Where(column => !Unique.Contains(column.Key))
            .OrderBy(column => column.Key, StringComparer.Ordinal)
            .Select(column =>
            {
                var value = column.Value is DBNull ? null : column.Value;
                var text = column.Key is "CaseId" or "TargetId" ? "(case)" : Convert.ToString(value, CultureInfo.InvariantCulture)?.Replace(c.Reference, "(reference)", StringComparison.Ordinal);
                return $"{column.Key}={value?.GetType().Name}:{text}";
            }).ToList())];
    }
}
