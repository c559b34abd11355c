using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Open311;

/// <summary>
/// Issues and revokes Open311 client keys and sets an organisation's jurisdiction id. Each change is audited (never the
/// key or its hash); keys are returned once and kept as SHA-256 hashes like the ingest keys.
/// </summary>
public sealed class Open311ClientKeys(CivicDeskDb db, AuditLog audit, Open311Directory directory, TimeProvider clock)
{
    /// <summary>The organisation's jurisdiction, created with <paramref name="defaultId"/> when it has none.</summary>
    public async Task<Open311Jurisdiction> JurisdictionAsync(long organisationId, string defaultId, CancellationToken ct)
    {
        if (await db.Open311Jurisdictions.IgnoreQueryFilters().FirstOrDefaultAsync(j => j.OrganisationId == organisationId, ct) is { } existing)
        {
            return existing;
        }

        var created = new Open311Jurisdiction { OrganisationId = organisationId, JurisdictionId = defaultId, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Open311Jurisdictions.Add(created);
        audit.Record("open311.jurisdiction-set", nameof(Open311Jurisdiction), defaultId, after: new { jurisdictionId = defaultId }, organisationId: organisationId);
        await db.SaveChangesAsync(ct);
        directory.Forget();
        return created;
    }

    /// <summary>Changes the jurisdiction id; false when another organisation already uses it.</summary>
    public async Task<bool> SetJurisdictionAsync(long organisationId, string jurisdictionId, bool answerWithToken, CancellationToken ct)
    {
        if (await db.Open311Jurisdictions.IgnoreQueryFilters().AnyAsync(j => j.JurisdictionId == jurisdictionId && j.OrganisationId != organisationId, ct))
        {
            return false;
        }

        var row = await JurisdictionAsync(organisationId, jurisdictionId, ct);
        var before = new { row.JurisdictionId, row.AnswerWithToken };
        if (before.JurisdictionId == jurisdictionId && before.AnswerWithToken == answerWithToken)
        {
            return true;
        }

        row.JurisdictionId = jurisdictionId;
        row.AnswerWithToken = answerWithToken;
        await db.Open311Clients.Where(c => c.OrganisationId == organisationId).ExecuteUpdateAsync(s => s.SetProperty(c => c.JurisdictionId, jurisdictionId), ct);
        audit.Record("open311.jurisdiction-set", nameof(Open311Jurisdiction), row.Id, before, new { jurisdictionId, answerWithToken }, organisationId);
        await db.SaveChangesAsync(ct);
        directory.Forget();
        return true;
    }

    /// <summary>A new client and its key (the only time the key exists outside the caller). <paramref name="key"/>: use this one (demo).</summary>
    public async Task<(Open311Client Client, string Key)> IssueAsync(long organisationId, string name, CancellationToken ct, string? key = null,
        IEnumerable<string>? scopes = null)
    {
        var jurisdiction = await JurisdictionAsync(organisationId, "org-" + organisationId, ct);
        key ??= ApiKeys.Generate();
        var client = new Open311Client
        {
            OrganisationId = organisationId, Name = name, JurisdictionId = jurisdiction.JurisdictionId, KeyHash = ApiKeys.Hash(key),
            KeyPrefix = key[..Math.Min(8, key.Length)], CreatedAt = clock.GetUtcNow().UtcDateTime,
            Scopes = IntegrationScopes.Normalise(scopes),
        };
        db.Open311Clients.Add(client);
        await db.SaveChangesAsync(ct);
        audit.Record("open311.client-created", nameof(Open311Client), client.Id, after: new { client.Name, client.JurisdictionId, client.Scopes, keyIssued = true }, organisationId: organisationId);
        await db.SaveChangesAsync(ct);
        return (client, key);
    }

    /// <summary>Gives or takes away one scope of a client's key (audited); false when there is no such active client.</summary>
    public async Task<bool> SetScopeAsync(long organisationId, long clientId, string scope, bool allowed, CancellationToken ct)
    {
        if (await db.Open311Clients.IgnoreQueryFilters().FirstOrDefaultAsync(c => c.Id == clientId && c.OrganisationId == organisationId && c.RevokedAt == null, ct) is not { } client)
        {
            return false;
        }

        var before = client.Scopes;
        var set = client.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => s != scope).ToList();
        if (allowed)
        {
            set.Add(scope);
        }

        client.Scopes = IntegrationScopes.Normalise(set);
        if (client.Scopes != before)
        {
            audit.Record("open311.client-scopes-set", nameof(Open311Client), client.Id, before: new { scopes = before }, after: new { scopes = client.Scopes }, organisationId: organisationId);
            await db.SaveChangesAsync(ct);
            directory.Forget();
        }

        return true;
    }

    /// <summary>Revokes a client's key for good; false when there is no such client in the organisation.</summary>
    public async Task<bool> RevokeAsync(long organisationId, long clientId, CancellationToken ct)
    {
        if (await db.Open311Clients.IgnoreQueryFilters().FirstOrDefaultAsync(c => c.Id == clientId && c.OrganisationId == organisationId, ct) is not { } client)
        {
            return false;
        }

        if (client.RevokedAt is null)
        {
            client.IsEnabled = false;
            client.RevokedAt = clock.GetUtcNow().UtcDateTime;
            audit.Record("open311.client-revoked", nameof(Open311Client), client.Id, before: new { isEnabled = true }, after: new { isEnabled = false }, organisationId: organisationId);
            await db.SaveChangesAsync(ct);
            directory.Forget();
        }

        return true;
    }
}
