using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Privacy;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Cases;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Privacy;

public sealed class RetentionTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public RetentionTests(CivicDeskFactory factory) => _factory = factory;

    private async Task<long> PostAsync(TestOrganisation org, long channelId, string text, string? matchedSearch, int daysAgo)
    {
        var outcome = await _factory.Services.GetRequiredService<IngestPipeline>().SubmitAsync(new IngestBatch(org.Id, channelId, ChannelKind.Mastodon,
            [new InboundPost("p-" + Guid.NewGuid().ToString("N"), text, "@someone" + Guid.NewGuid().ToString("N")[..6] + "@example.social", MatchedSearch: matchedSearch)]), default);
        var id = outcome.Items.Single().MessageId;
        var received = DateTime.UtcNow.AddDays(-daysAgo);
        await CaseTestData.WithDbAsync(_factory, org.Id, db => db.Messages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ReceivedAt, received)));
        return id;
    }

    private async Task EnableAsync(TestOrganisation org, RetentionDataClass c, int days)
    {
        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        await RetentionDefaults.EnsureAsync(db, org.Id, DateTime.UtcNow, default);
        await db.RetentionPolicies.Where(p => p.DataClass == c).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsEnabled, true).SetProperty(p => p.PeriodDays, days));
    }

    private async Task<IReadOnlyList<RetentionClassReport>> RunAsync(TestOrganisation org, bool dryRun)
    {
        await using var scope = _factory.ScopeFor(org.Id);
        return (await scope.ServiceProvider.GetRequiredService<RetentionPurge>().RunAsync(org.Id, dryRun, default)).Report;
    }

    private async Task<AuditVerification> VerifyAsync(TestOrganisation org)
    {
        await using var scope = _factory.ScopeFor(org.Id);
        return await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org.Id, default);
    }

    [Fact]
    public async Task A_dry_run_reports_without_changing_anything_and_the_purge_then_does_exactly_that()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var channel = await InboxTestData.ChannelAsync(_factory, org, ChannelKind.Mastodon);
        var oldListened = await PostAsync(org, channel, "Old public grumble about parking on Mill Lane", "Parking", daysAgo: 120);
        var newListened = await PostAsync(org, channel, "New public grumble about parking", "Parking", daysAgo: 10);
        var oldDirect = await PostAsync(org, channel, "Old direct message to the council", null, daysAgo: 120);
        await EnableAsync(org, RetentionDataClass.ListeningMessages, 90);

        var dry = await RunAsync(org, dryRun: true);
        dry.Single(r => r.DataClass == RetentionDataClass.ListeningMessages).Affected.ShouldBe(1);
        (await CaseTestData.WithDbAsync(_factory, org.Id, db => db.Messages.IgnoreQueryFilters().SingleAsync(m => m.Id == oldListened))).Text.ShouldContain("Mill Lane");

        var done = await RunAsync(org, dryRun: false);
        done.Single(r => r.DataClass == RetentionDataClass.ListeningMessages).Affected.ShouldBe(1);
        var messages = await CaseTestData.WithDbAsync(_factory, org.Id, db => db.Messages.IgnoreQueryFilters().Where(m => m.OrganisationId == org.Id).ToListAsync());
        var purged = messages.Single(m => m.Id == oldListened);
        purged.Text.ShouldBe(RetentionPurge.Removed);
        purged.AuthorHandle.ShouldBe("anonymised");
        purged.RawPayload.ShouldBeNull();
        purged.DeletedAt.ShouldNotBeNull();
        messages.Single(m => m.Id == newListened).Text.ShouldContain("New public grumble");
        // Direct contact has its own (longer) policy, not switched on here.
        messages.Single(m => m.Id == oldDirect).Text.ShouldContain("Old direct message");
        (await CaseTestData.WithDbAsync(_factory, org.Id, db => db.AuditEvents.CountAsync(a => a.Action == "retention.purged"))).ShouldBe(1);
        (await CaseTestData.WithDbAsync(_factory, org.Id, db => db.RetentionRuns.CountAsync())).ShouldBe(2);
    }

    [Fact]
    public async Task Anything_on_an_open_case_is_kept()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await CaseTestData.ServicesAsync(_factory, org);
        var channel = await InboxTestData.ChannelAsync(_factory, org, ChannelKind.Mastodon);
        var direct = await PostAsync(org, channel, "The streetlight outside number 4 has been out for a month", null, daysAgo: 800);
        await CaseTestData.CaseAsync(_factory, org, messageIds: [direct]);
        await EnableAsync(org, RetentionDataClass.DirectContact, 730);

        (await RunAsync(org, dryRun: false)).Single().Affected.ShouldBe(0);
        (await CaseTestData.WithDbAsync(_factory, org.Id, db => db.Messages.SingleAsync(m => m.Id == direct))).Text.ShouldContain("streetlight");
    }

    [Fact]
    public async Task After_a_purge_of_audit_payloads_verify_passes_and_a_tampered_row_still_fails()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
            for (var i = 0; i < 5; i++)
            {
                audit.Record("reply.queued", "Conversation", i, after: new { text = "Dear Ada, about your bin at 14 Mill Lane " + i });
            }

            await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().SaveChangesAsync();
        }

        // Period 0: everything recorded before this run is past its time (the UI allows 1 day or more).
        await EnableAsync(org, RetentionDataClass.AuditPayloads, 0);
        var report = await RunAsync(org, dryRun: false);
        report.Single().Affected.ShouldBeGreaterThanOrEqualTo(5);

        var events = await CaseTestData.WithDbAsync(_factory, org.Id, db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        events.Where(e => e.Action == "reply.queued").ShouldAllBe(e => e.After == null && e.PayloadErasedAt != null);
        string.Concat(events.Select(e => e.After)).ShouldNotContain("Mill Lane");
        (await VerifyAsync(org)).IsIntact.ShouldBeTrue();

        // Tampering with a row whose payload was kept is still caught.
        var kept = events.Last(e => e.After != null);
        await CaseTestData.WithDbAsync(_factory, org.Id, db => db.AuditEvents.Where(e => e.Id == kept.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.After, "{\"eventIds\":[],\"reason\":\"nothing to see\"}")));
        var tampered = await VerifyAsync(org);
        tampered.IsIntact.ShouldBeFalse();
        tampered.FirstBreak!.Sequence.ShouldBe(kept.Sequence);
    }
}
