using System.Collections.Concurrent;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Cases;

/// <summary>
/// Group commit for case creates that arrive together (Open311 <c>POST requests</c>): each caller validates its
/// request in its own scope (<see cref="CaseCommands.CreateGroupedAsync"/>), queues the prepared case and waits; one
/// writer at a time takes everything queued (up to <see cref="CasesOptions.MaxCreateBatch"/>) and writes it with
/// <see cref="CaseCommands.CreateGroupAsync"/> (set-based) in one transaction per organisation, so a burst of N
/// calls costs one commit (one fsync) instead of N, and the audit gate is taken once per batch. Every caller is
/// answered only after the commit that holds its case (acknowledge after commit). If a batch fails, its requests are
/// tried again one by one, so one bad request cannot fail the others. The writer runs on the thread pool and starts
/// itself when work arrives: nothing to host, nothing left behind when the queue is empty.
/// </summary>
public sealed class CaseCreationQueue(IServiceScopeFactory scopes, CaseAssessmentSignal assessments, IOptions<CasesOptions> options, ILogger<CaseCreationQueue> logger)
{
    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _writing;

    private sealed record Pending(long OrganisationId, PreparedCase Prepared, TaskCompletionSource<Case> Done);

    /// <summary>Writes the prepared case in <paramref name="organisationId"/>; returns it once it is committed.</summary>
    /// <remarks>
    /// <paramref name="ct"/> is checked before queueing only: a queued request is written with its batch whatever
    /// happens to the caller, as a single create already was once its transaction had begun.
    /// </remarks>
    public Task<Case> CreateAsync(long organisationId, PreparedCase prepared, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var pending = new Pending(organisationId, prepared, new TaskCompletionSource<Case>(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = Task.Run(WriteQueuedAsync, CancellationToken.None);
        }

        return pending.Done.Task;
    }

    private async Task WriteQueuedAsync()
    {
        var max = options.Value.MaxCreateBatch;
        var batch = new List<Pending>(max);
        while (true)
        {
            while (!_queue.IsEmpty)
            {
                batch.Clear();
                while (batch.Count < max && _queue.TryDequeue(out var p))
                {
                    batch.Add(p);
                }

                foreach (var group in batch.GroupBy(p => p.OrganisationId))
                {
                    await WriteAsync([.. group]);
                }

                // Grouped creates are always assessed later (CaseCommands.CreateGroupedAsync).
                assessments.Ring();
            }

            // Let go, then look once more: a request queued between the last look and letting go would otherwise wait
            // for the next caller to start a writer.
            Volatile.Write(ref _writing, 0);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task WriteAsync(IReadOnlyList<Pending> group)
    {
        try
        {
            var results = await CreateAsync(group);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Done.TrySetResult(results[i]);
            }
        }
        catch (Exception e) when (group.Count > 1)
        {
            logger.LogWarning(e, "A batch of {Count} case creates failed; trying each on its own", group.Count);
            foreach (var p in group)
            {
                await WriteAsync([p]);
            }
        }
        catch (Exception e)
        {
            group[0].Done.TrySetException(e);
        }
    }

    private async Task<IReadOnlyList<Case>> CreateAsync(IReadOnlyList<Pending> group)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(group[0].OrganisationId);
        var created = await scope.ServiceProvider.GetRequiredService<CaseCommands>().CreateGroupAsync([.. group.Select(p => p.Prepared)], CancellationToken.None);
        // Written set-based, so no save interceptor saw them: the public map shows new cases at once, as after an EF save
        // (PublicPageEviction; absent where no page is cached, as in the command line).
        // Committed by now: a failure here must not fail the batch, which would be written again case by case.
        if (scope.ServiceProvider.GetService<PublicPageEviction>() is { } eviction)
        {
            try
            {
                await eviction.MapChangedAsync();
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The public map could not be evicted after {Count} new cases", created.Count);
            }
        }

        return created;
    }
}
