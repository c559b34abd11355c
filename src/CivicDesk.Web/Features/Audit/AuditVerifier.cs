using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Audit;

/// <summary>
/// Walks each organisation's chain in sequence order and reports the first link that does not hold: sequence gaps,
/// previous-hash links, each event's hash, each payload against its payload hash (unless lawfully erased, which a
/// later audit.payloads-erased event must record), and finally the signed checkpoints (a rebuilt chain has no valid
/// signature for its new hashes).
/// </summary>
public sealed class AuditVerifier(CivicDeskDb db, AuditCheckpoints? checkpoints = null)
{
    public async Task<IReadOnlyList<AuditVerification>> VerifyAllAsync(CancellationToken ct)
    {
        var organisations = await db.Organisations.AsNoTracking().OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(ct);
        var results = new List<AuditVerification>(organisations.Count);
        foreach (var org in organisations)
        {
            results.Add(await VerifyAsync(org, ct));
        }

        return results;
    }

    /// <summary>The event ids an audit.payloads-erased event names (its After: {"eventIds":[…]}).</summary>
    private static List<long> ErasedIds(string? after)
    {
        if (after is null)
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(after);
            return doc.RootElement.TryGetProperty("eventIds", out var ids) && ids.ValueKind == JsonValueKind.Array
                ? ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Number).Select(i => i.GetInt64()).ToList()
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public async Task<AuditVerification> VerifyAsync(long organisationId, CancellationToken ct)
    {
        long expectedSequence = 1, count = 0;
        var previousHash = AuditChain.Genesis;
        var erased = new Dictionary<long, long>();        // event id → sequence, erased payloads seen
        var erasureRecorded = new HashSet<long>();        // event ids named by audit.payloads-erased events
        var hashes = new Dictionary<long, string>();      // sequence → hash, only where a checkpoint needs it
        // Without the checkpoint service (a bare verifier over a database), only the chain itself is checked.
        IReadOnlyList<Domain.AuditCheckpoint> checkpointList = checkpoints is null ? [] : await checkpoints.ListAsync(organisationId, ct);
        var wanted = checkpointList.Select(c => c.Sequence).ToHashSet();
        // Streamed in sequence order so a chain of millions of events needs constant memory.
        await foreach (var e in db.AuditEvents.IgnoreQueryFilters().AsNoTracking()
                           .Where(a => a.OrganisationId == organisationId).OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            string? problem = null;
            if (e.Sequence != expectedSequence)
            {
                problem = $"expected sequence {expectedSequence} but found {e.Sequence} (an event was removed or inserted)";
            }
            else if (e.PreviousHash != previousHash)
            {
                problem = "its previous-hash does not match the event before it";
            }
            else if (AuditChain.ComputeHash(e) != e.Hash)
            {
                problem = "its contents no longer match its hash (the row was edited)";
            }
            else if (e.PayloadHash is not null && e.PayloadErasedAt is null && AuditChain.ComputePayloadHash(e) != e.PayloadHash)
            {
                problem = "its before/after text no longer matches its payload hash (the payload was edited)";
            }
            else if (e.PayloadErasedAt is not null && (e.Before is not null || e.After is not null))
            {
                problem = "it is marked erased but still has a payload";
            }
            else if (e.PayloadErasedAt is not null && e.PayloadHash is null)
            {
                problem = "it is marked erased but was recorded before payload hashing, so its payload cannot have been erased lawfully";
            }

            if (problem is not null)
            {
                return new AuditVerification(organisationId, count, new AuditBreak(organisationId, e.Sequence, e.Id, problem));
            }

            if (e.PayloadErasedAt is not null)
            {
                erased[e.Id] = e.Sequence;
            }

            if (e.Action == AuditChain.PayloadsErasedAction)
            {
                foreach (var id in ErasedIds(e.After))
                {
                    erasureRecorded.Add(id);
                }
            }

            if (wanted.Contains(e.Sequence))
            {
                hashes[e.Sequence] = e.Hash;
            }

            previousHash = e.Hash;
            expectedSequence++;
        }

        foreach (var (id, sequence) in erased.OrderBy(x => x.Value))
        {
            if (!erasureRecorded.Contains(id))
            {
                return new AuditVerification(organisationId, count,
                    new AuditBreak(organisationId, sequence, id, "its payload was erased but no audit.payloads-erased event records that erasure"));
            }
        }

        if (checkpoints?.FirstProblem(checkpointList, hashes, expectedSequence - 1) is { } bad)
        {
            return new AuditVerification(organisationId, count, new AuditBreak(organisationId, bad.Sequence, 0, bad.Problem), checkpointList.Count);
        }

        return new AuditVerification(organisationId, count, null, checkpointList.Count);
    }
}

public static class AuditFeature
{
    public static WebApplicationBuilder AddAuditFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<AuditVerifier>();
        builder.Services.AddSingleton<AuditSigningKey>();
        builder.Services.AddScoped<AuditCheckpoints>();
        return builder;
    }

    /// <summary>The daily checkpoint job (web host only; the command line writes one with <c>audit checkpoint</c>).</summary>
    public static WebApplicationBuilder AddAuditCheckpointWorker(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue("Audit:CheckpointWorkerEnabled", true))
        {
            builder.Services.AddBackgroundWorker<AuditCheckpointWorker>();
        }

        return builder;
    }
}
