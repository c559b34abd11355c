using System.Threading.Channels;
using Channel = System.Threading.Channels.Channel;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Cases;

/// <summary>A doorbell rung after cases that asked to be assessed later are committed; many rings before the worker wakes mean one pass.</summary>
public sealed class CaseAssessmentSignal
{
    private readonly Channel<bool> _bell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Ring() => _bell.Writer.TryWrite(true);

    /// <summary>Returns when rung or after <paramref name="timeout"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await _bell.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The timeout: time for the sweep.
        }
    }
}

/// <summary>
/// Runs the <see cref="ICaseAssessmentStep"/>s (duplicate candidates, expected-by) for cases created with
/// <see cref="NewCase.AssessLater"/>: claims a batch of due cases (<see cref="Case.AssessmentDueAt"/>, moved out by a
/// lease so another node skips them, and takes them over only if this one dies), assesses the batch per organisation
/// reading the other cases once, and clears the mark in the same save. Woken by <see cref="CaseAssessmentSignal"/>
/// after each committed batch of creates (then waiting <see cref="CasesOptions.AssessmentGatherMilliseconds"/> so a
/// burst is assessed in few passes), and every <see cref="CasesOptions.AssessmentSweepSeconds"/> for the rest.
/// </summary>
public sealed class CaseAssessmentWorker(
    IServiceScopeFactory scopes,
    CaseAssessmentSignal signal,
    IOptions<CasesOptions> options,
    TimeProvider clock,
    ILogger<CaseAssessmentWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await AssessDueAsync(stoppingToken) >= options.Value.MaxAssessmentBatch)
                {
                    // A full batch: more may be waiting.
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bad pass (database briefly unavailable) must not stop assessments: the leases expire and the cases come round again.
                logger.LogError(e, "Assessing new cases failed");
            }

            await signal.WaitAsync(TimeSpan.FromSeconds(options.Value.AssessmentSweepSeconds), stoppingToken);
            // Let a burst gather first: each pass reads the organisation's open cases once, so a pass per create batch
            // (every few milliseconds under load) would spend a core re-reading them; a pass per gathering does not.
            await Task.Delay(TimeSpan.FromMilliseconds(options.Value.AssessmentGatherMilliseconds), clock, stoppingToken);
        }
    }

    /// <summary>Assesses one batch of due cases; returns how many were claimed.</summary>
    public async Task<int> AssessDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        IReadOnlyList<long> claimed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            // A read first, which takes no write lock: most passes find nothing.
            if (!await db.Cases.IgnoreQueryFilters().AnyAsync(c => c.AssessmentDueAt != null && c.AssessmentDueAt <= now, ct))
            {
                return 0;
            }

            claimed = await RowClaims.ClaimAsync(db, "\"Cases\"", "\"AssessmentDueAt\" = @lease",
                """ "AssessmentDueAt" IS NOT NULL AND "AssessmentDueAt" <= @now ORDER BY "AssessmentDueAt" LIMIT @batch """,
                new { lease = now.AddSeconds(o.AssessmentLeaseSeconds), now, batch = o.MaxAssessmentBatch }, ct);
            if (claimed.Count == 0)
            {
                return 0;
            }

            var byOrganisation = await db.Cases.IgnoreQueryFilters().AsNoTracking().Where(c => claimed.Contains(c.Id))
                .Select(c => new { c.Id, c.OrganisationId }).ToListAsync(ct);
            foreach (var group in byOrganisation.GroupBy(c => c.OrganisationId))
            {
                await AssessAsync(group.Key, [.. group.Select(c => c.Id)], ct);
            }
        }

        return claimed.Count;
    }

    private async Task AssessAsync(long organisationId, IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(organisationId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var cases = await db.Cases.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
        foreach (var step in scope.ServiceProvider.GetServices<ICaseAssessmentStep>())
        {
            await step.RunAsync(cases, ct);
        }

        foreach (var c in cases)
        {
            c.AssessmentDueAt = null;
        }

        // Under the audit gate like every other write, so it queues behind creates instead of meeting SQLite's busy wait.
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
