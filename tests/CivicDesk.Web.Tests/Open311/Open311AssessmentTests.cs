using System.Xml.Linq;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>
/// Open311 creates off the slow path (issue 13): concurrent creates share a commit, and the duplicate check and the
/// expected-by estimate follow in <see cref="CaseAssessmentWorker"/> instead of holding up the answer.
/// </summary>
public sealed class Open311AssessmentTests(Open311CaseFixture fx) : IClassFixture<Open311CaseFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<string> CreateAsync(string description, string lat = "51.9001", string lon = "-2.0700")
    {
        var form = new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Open311CaseFixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_code"] = "potholes", ["lat"] = lat, ["long"] = lon,
            ["description"] = description, ["email"] = "ada@example.org", ["first_name"] = "Ada", ["last_name"] = "Lovelace", ["attribute[depth]"] = "deep",
        };
        var response = await fx.Client.PostAsync("requests.xml", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(200, body);
        return XDocument.Parse(body).Root!.Element("request")!.Element("service_request_id")!.Value;
    }

    /// <summary>Waits (polling, not timing) until the worker has assessed the case; fails after a minute.</summary>
    private async Task<Web.Domain.Case> AssessedAsync(string reference)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
            var c = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Cases.AsNoTracking().SingleAsync(x => x.Reference == reference);
            if (c.AssessmentDueAt is null)
            {
                return c;
            }

            DateTime.UtcNow.ShouldBeLessThan(until, $"{reference} was never assessed");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task The_duplicate_is_found_and_the_estimate_appears_once_assessed_and_the_duplicate_can_be_merged()
    {
        var first = await CreateAsync("title: Crater outside the bakery on Mill Lane\r\n\r\ndetail: A deep crater in the road outside the bakery.");
        var second = await CreateAsync("title: Crater outside the bakery on Mill Lane\r\n\r\ndetail: Deep crater in the road by the bakery.", "51.9002", "-2.0701");

        var original = await AssessedAsync(first);
        var duplicate = await AssessedAsync(second);
        duplicate.ExpectedBy.ShouldNotBeNull();
        duplicate.ExpectedByBasis.ShouldNotBeNullOrWhiteSpace();
        original.ExpectedBy.ShouldNotBeNull();

        // GET shows expected_datetime once it is computed.
        var body = await fx.Client.GetStringAsync($"requests.xml?jurisdiction_id={Open311CaseFixture.Jurisdiction}&service_request_id={second}");
        XDocument.Parse(body).Root!.Element("request")!.Element("expected_datetime")!.Value.ShouldNotBeNullOrWhiteSpace();

        await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        // Compared with the cases made before it, as at creation: the second lists the first, not the other way round.
        (await db.CaseDuplicateCandidates.AsNoTracking().Where(d => d.CaseId == duplicate.Id).Select(d => d.CandidateCaseId).ToListAsync())
            .ShouldContain(original.Id);
        (await db.CaseDuplicateCandidates.AsNoTracking().AnyAsync(d => d.CaseId == original.Id && d.CandidateCaseId == duplicate.Id)).ShouldBeFalse();

        var merged = await scope.ServiceProvider.GetRequiredService<CaseCommands>().MergeAsync(duplicate.Id, original.Id, default);
        merged.Outcome.ShouldBe(CaseOutcome.Done);
        (await db.Cases.AsNoTracking().SingleAsync(c => c.Id == duplicate.Id)).Status.ShouldBe(CaseStatus.Duplicate);
        (await db.CaseReporters.AsNoTracking().CountAsync(r => r.CaseId == original.Id)).ShouldBe(2);
    }

    [Fact]
    public async Task Concurrent_creates_each_get_their_case_note_and_events_and_the_audit_chain_holds()
    {
        var references = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            CreateAsync($"title: Pothole number {i}\r\n\r\ndetail: Hole {i} on the ring road.", (51.80 + i * 0.01).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture))));

        references.Distinct().Count().ShouldBe(24);
        await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var ids = await db.Cases.AsNoTracking().Where(c => references.Contains(c.Reference)).Select(c => c.Id).ToListAsync();
        ids.Count.ShouldBe(24);
        (await db.CaseReporters.AsNoTracking().CountAsync(r => ids.Contains(r.CaseId))).ShouldBe(24);
        (await db.CaseUpdates.AsNoTracking().CountAsync(u => ids.Contains(u.CaseId) && u.Kind == CaseUpdateKind.InternalNote && u.Text!.Contains("depth: deep"))).ShouldBe(24);
        (await db.CaseEvents.AsNoTracking().CountAsync(e => ids.Contains(e.CaseId) && e.Type == CaseEventType.Created)).ShouldBe(24);
        var created = await db.AuditEvents.AsNoTracking().Where(a => a.Action == "case.created" && a.ActorName == "Open311: FixMyStreet").Select(a => a.TargetId).ToListAsync();
        foreach (var id in ids)
        {
            created.ShouldContain(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        (await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(fx.Org.Id, default)).IsIntact.ShouldBeTrue();
        foreach (var reference in references)
        {
            (await AssessedAsync(reference)).ExpectedBy.ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task Grouped_creates_refuse_the_invalid_request_and_create_the_others()
    {
        NewCase Request(string service, string title) => new()
        {
            ServiceCode = service, Title = title, Description = "From the batch test", Source = CaseSource.Open311,
            Actor = new CaseActor(null, "Open311: batch test"), InternalNote = "depth: shallow", AssessLater = true,
        };

        async Task<CaseResult> Grouped(NewCase request)
        {
            await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
            return await scope.ServiceProvider.GetRequiredService<CaseCommands>().CreateGroupedAsync(request, default);
        }

        var results = await Task.WhenAll(
            Grouped(Request("potholes", "Batch one")), Grouped(Request("no-such-service", "Batch two")),
            Grouped(Request("potholes", "")), Grouped(Request("bins", "Batch four")));

        results[0].Outcome.ShouldBe(CaseOutcome.Done);
        (results[1].Outcome, results[1].Field).ShouldBe((CaseOutcome.Invalid, "ServiceCode"));
        (results[2].Outcome, results[2].Field).ShouldBe((CaseOutcome.Invalid, "Title"));
        results[3].Outcome.ShouldBe(CaseOutcome.Done);
        await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Cases.AsNoTracking().CountAsync(c => c.Title.StartsWith("Batch "))).ShouldBe(2);
        (await AssessedAsync(results[3].Case!.Reference)).TeamId.ShouldBe(fx.Org.Teams["Waste"]);
    }

    [Fact]
    public async Task A_case_made_by_staff_is_still_assessed_in_its_own_transaction()
    {
        await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
        var result = await scope.ServiceProvider.GetRequiredService<CaseCommands>().CreateAsync(new NewCase
        {
            ServiceCode = "potholes", Title = "Staff made", Description = "Seen on patrol", Source = CaseSource.Staff,
        }, default);

        result.Outcome.ShouldBe(CaseOutcome.Done);
        var c = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Cases.AsNoTracking().SingleAsync(x => x.Id == result.Case!.Id);
        c.AssessmentDueAt.ShouldBeNull();
        c.ExpectedBy.ShouldNotBeNull();
    }
}
