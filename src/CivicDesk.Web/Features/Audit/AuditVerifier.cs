using CivicDesk.Web.Data;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Audit;

/// <summary>Walks each organisation's chain in sequence order and reports the first link that does not hold.</summary>
public sealed class AuditVerifier(CivicDeskDb db)
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

    public async Task<AuditVerification> VerifyAsync(long organisationId, CancellationToken ct)
    {
        long expectedSequence = 1, count = 0;
        var previousHash = AuditChain.Genesis;
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

            if (problem is not null)
            {
                return new AuditVerification(organisationId, count, new AuditBreak(organisationId, e.Sequence, e.Id, problem));
            }

            previousHash = e.Hash;
            expectedSequence++;
        }

        return new AuditVerification(organisationId, count, null);
    }
}

public static class AuditFeature
{
    public static WebApplicationBuilder AddAuditFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<AuditVerifier>();
        return builder;
    }
}
