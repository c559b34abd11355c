using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Audit;

/// <summary>Lawful erasure keeps the chain verifiable; rewriting the chain is caught by the signed checkpoints.</summary>
public sealed class AuditErasureAndCheckpointTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public AuditErasureAndCheckpointTests(CivicDeskFactory factory) => _factory = factory;

    private async Task RecordAsync(long org, int count)
    {
        await using var scope = _factory.ScopeFor(org);
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        for (var i = 0; i < count; i++)
        {
            audit.Record("test.event", "Thing", i, before: new { text = "citizen said " + i }, after: new { text = "staff replied " + i });
        }

        await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().SaveChangesAsync();
    }

    private async Task<AuditVerification> VerifyAsync(long org)
    {
        await using var scope = _factory.ScopeFor(org);
        return await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org, CancellationToken.None);
    }

    private async Task EraseAsync(long org, long sequence, bool record)
    {
        await using var scope = _factory.ScopeFor(org);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var e = await db.AuditEvents.SingleAsync(a => a.Sequence == sequence);
        AuditChain.ErasePayload(e, DateTime.UtcNow).ShouldBeTrue();
        if (record)
        {
            scope.ServiceProvider.GetRequiredService<AuditLog>().Record(AuditChain.PayloadsErasedAction, "AuditEvent", null,
                after: new { eventIds = new[] { e.Id }, reason = "test erasure" });
        }

        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_recorded_erasure_keeps_the_chain_intact_and_the_text_gone()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 4);

        await EraseAsync(org.Id, 2, record: true);

        (await VerifyAsync(org.Id)).IsIntact.ShouldBeTrue();
        await using var scope = _factory.ScopeFor(org.Id);
        var erased = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.AsNoTracking().SingleAsync(a => a.Sequence == 2);
        (erased.Before, erased.After).ShouldBe((null, null));
        erased.PayloadHash.ShouldNotBeNull();
    }

    [Fact]
    public async Task An_unrecorded_erasure_is_caught()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 3);
        await EraseAsync(org.Id, 2, record: false);

        var result = await VerifyAsync(org.Id);
        result.FirstBreak!.Sequence.ShouldBe(2);
        result.FirstBreak.Problem.ShouldContain("no audit.payloads-erased event records");
    }

    [Fact]
    public async Task Editing_a_payload_is_still_caught_after_the_design_change()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 3);
        await EraseAsync(org.Id, 1, record: true);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.Where(e => e.Sequence == 3)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.After, "{\"text\":\"something else\"}"));
        }

        var result = await VerifyAsync(org.Id);
        result.FirstBreak!.Sequence.ShouldBe(3);
        result.FirstBreak.Problem.ShouldContain("payload");
    }

    [Fact]
    public async Task Rebuilding_the_whole_chain_verifies_as_a_chain_but_fails_the_signed_checkpoint()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 5);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            (await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().SignAllAsync(default)).ShouldBeGreaterThanOrEqualTo(1);
        }

        var before = await VerifyAsync(org.Id);
        before.IsIntact.ShouldBeTrue();
        before.CheckpointsChecked.ShouldBe(1);

        // Someone with write access to the database changes event 3 and recomputes every hash after it.
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var events = await db.AuditEvents.OrderBy(e => e.Sequence).ToListAsync();
            events[2].After = "{\"text\":\"rewritten history\"}";
            var previous = AuditChain.Genesis;
            foreach (var e in events)
            {
                e.PreviousHash = previous;
                e.PayloadHash = AuditChain.ComputePayloadHash(e);
                e.Hash = AuditChain.ComputeHash(e);
                previous = e.Hash;
            }

            await db.SaveChangesAsync();
        }

        var after = await VerifyAsync(org.Id);
        after.IsIntact.ShouldBeFalse();
        after.FirstBreak!.Problem.ShouldContain("rewritten");
    }

    [Fact]
    public async Task A_forged_or_edited_checkpoint_fails_its_signature()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 3);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().SignAllAsync(default);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await db.AuditCheckpoints.Where(c => c.OrganisationId == org.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Sequence, 2L));
        }

        (await VerifyAsync(org.Id)).FirstBreak!.Problem.ShouldContain("invalid signature");
    }

    [Fact]
    public async Task Removing_events_after_a_checkpoint_is_caught()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 4);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().SignAllAsync(default);
            await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.Where(e => e.Sequence >= 3).ExecuteDeleteAsync();
        }

        (await VerifyAsync(org.Id)).FirstBreak!.Problem.ShouldContain("events were removed");
    }

    [Fact]
    public async Task The_signing_key_lives_in_a_file_outside_the_database()
    {
        await using var scope = _factory.ScopeFor(null);
        var key = scope.ServiceProvider.GetRequiredService<AuditSigningKey>();
        key.Signer();
        File.Exists(key.KeyPath).ShouldBeTrue();
        (await File.ReadAllTextAsync(key.KeyPath)).ShouldContain("PRIVATE KEY");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(key.KeyPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
