using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

public sealed record ExportOrganisation(string Name, string Slug);

public sealed record ExportMonth(string Month, double? Score, double Coverage, int Conversations, Dictionary<string, double?> Components);

/// <summary>What the signature covers: serialised once to UTF-8, stored in the file as base64 and verified as those exact bytes.</summary>
public sealed record ExportPayload(int Version, string MethodsVersion, string InstanceId, ExportOrganisation Organisation, DateTime ExportedAt, string TimeZone, IReadOnlyList<ExportMonth> Months);

/// <summary>A file that passed every check: its payload and the key that signed it.</summary>
public sealed record VerifiedExport(ExportPayload Payload, string PublicKey, string Fingerprint);

public sealed record ImportOutcome(string? Error, EngagementPeer? Peer = null, bool Replaced = false)
{
    public bool Ok => Error is null;
}

/// <summary>
/// Signed export and import of the monthly Engagement Index across instances.
/// <para>File (version 1): a JSON object <c>{"format":"civicdesk-engagement-index","version":1,"payload":"…","signature":{…}}</c>.
/// <c>payload</c> is base64 of the UTF-8 JSON of <see cref="ExportPayload"/>; the signature is ECDSA P-256 with SHA-256
/// (IEEE P1363, r‖s, base64) over exactly those decoded bytes, so nothing is re-serialised before verifying.
/// <c>signature.publicKey</c> is the SubjectPublicKeyInfo (DER, base64) and <c>signature.fingerprint</c> its SHA-256
/// in hex, which the peer reads out to confirm the file is theirs.</para>
/// </summary>
public sealed class EngagementExchange(CivicDeskDb db, IDataProtectionProvider protection, AuditLog audit, TimeProvider time)
{
    public const string Format = "civicdesk-engagement-index";
    public const int Version = 1;
    public const string Algorithm = "ES256";
    public const int MaxBytes = 1024 * 1024;
    public const int MaxMonths = 36;
    private const string ProtectorPurpose = "CivicDesk.EngagementIndex.SigningKey.v1";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The organisation's signing key, made (and its private half protected) on first use.</summary>
    public async Task<EngagementSigningKey> KeyAsync(CancellationToken ct)
    {
        if (await db.EngagementSigningKeys.AsNoTracking().SingleOrDefaultAsync(ct) is { } key)
        {
            return key;
        }

        var organisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation.");
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = ecdsa.ExportSubjectPublicKeyInfo();
        var pkcs8 = ecdsa.ExportPkcs8PrivateKey();
        try
        {
            key = new EngagementSigningKey
            {
                OrganisationId = organisationId,
                PublicKey = Convert.ToBase64String(spki),
                Fingerprint = FingerprintOf(spki),
                ProtectedPrivateKey = Convert.ToBase64String(protection.CreateProtector(ProtectorPurpose).Protect(pkcs8)),
                CreatedAt = time.GetUtcNow().UtcDateTime,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        db.EngagementSigningKeys.Add(key);
        audit.Record("engagement.signing-key-created", "Organisation", organisationId, null, $"fingerprint {key.Fingerprint}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request made the key first: use that one.
            db.ChangeTracker.Clear();
            return await db.EngagementSigningKeys.AsNoTracking().SingleAsync(ct);
        }

        return key;
    }

    /// <summary>This installation's id, made once.</summary>
    public async Task<string> InstanceIdAsync(CancellationToken ct)
    {
        if (await db.InstanceIdentities.AsNoTracking().SingleOrDefaultAsync(i => i.Id == 1, ct) is { } existing)
        {
            return existing.InstanceId;
        }

        db.InstanceIdentities.Add(new InstanceIdentity { Id = 1, InstanceId = Guid.NewGuid().ToString("D"), CreatedAt = time.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
        }

        return (await db.InstanceIdentities.AsNoTracking().SingleAsync(i => i.Id == 1, ct)).InstanceId;
    }

    /// <summary>The signed file for the organisation's months (oldest first), as UTF-8 bytes.</summary>
    public async Task<byte[]> ExportAsync(IReadOnlyList<MonthlyIndex> months, string timeZone, CancellationToken ct)
    {
        var organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == db.CurrentOrganisationId, ct);
        var key = await KeyAsync(ct);
        var payload = new ExportPayload(Version, EngagementIndex.MethodsVersion, await InstanceIdAsync(ct), new ExportOrganisation(organisation.Name, organisation.Slug),
            time.GetUtcNow().UtcDateTime, timeZone,
            months.Select(m => new ExportMonth(m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture), Round(m.Score), Math.Round(m.Coverage, 4), m.Conversations,
                m.Components.ToDictionary(c => c.Component.Key, c => Round(c.Score)))).ToList());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(payload, Json);
        var pkcs8 = protection.CreateProtector(ProtectorPurpose).Unprotect(Convert.FromBase64String(key.ProtectedPrivateKey));
        byte[] signature;
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            signature = ecdsa.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        audit.Record("engagement.exported", "Organisation", organisation.Id, null, $"{months.Count} months, fingerprint {key.Fingerprint}");
        await db.SaveChangesAsync(ct);
        return Envelope(bytes, key.PublicKey, key.Fingerprint, signature);
    }

    /// <summary>Wraps signed payload bytes into the file (also used by tests to build hostile files).</summary>
    public static byte[] Envelope(byte[] payload, string publicKey, string fingerprint, byte[] signature) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["payload"] = Convert.ToBase64String(payload),
            ["signature"] = new JsonObject
            {
                ["algorithm"] = Algorithm,
                ["publicKey"] = publicKey,
                ["fingerprint"] = fingerprint,
                ["value"] = Convert.ToBase64String(signature),
            },
        }, Indented);

    public static byte[] SerialisePayload(ExportPayload payload) => JsonSerializer.SerializeToUtf8Bytes(payload, Json);

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 2) : null;

    /// <summary>SHA-256 of the SubjectPublicKeyInfo, 64 lower-case hex digits.</summary>
    public static string FingerprintOf(byte[] spki) => Convert.ToHexStringLower(SHA256.HashData(spki));

    /// <summary>"3f2a 9c01 …": the fingerprint in groups of four for reading aloud.</summary>
    public static string Readable(string fingerprint) =>
        string.Join(' ', Enumerable.Range(0, fingerprint.Length / 4).Select(i => fingerprint.Substring(i * 4, 4)));

    /// <summary>Every check on a file, with no side effects: the reason it is refused, or what it says.</summary>
    public static (VerifiedExport? File, string? Error) Verify(ReadOnlySpan<byte> file)
    {
        if (file.Length == 0)
        {
            return (null, "The file is empty.");
        }

        if (file.Length > MaxBytes)
        {
            return (null, $"The file is larger than {MaxBytes / 1024 / 1024} MB; an export of 12 months is a few kilobytes, so this is not one.");
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(file, documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return (null, "The file is not JSON (it may be cut short or not an export at all).");
        }

        if (root is not JsonObject envelope)
        {
            return (null, "The file is JSON but not an Engagement Index export (expected an object).");
        }

        if (Text(envelope, "format") != Format)
        {
            return (null, $"The file is not an Engagement Index export (its \"format\" is not \"{Format}\").");
        }

        if (envelope["version"] is not JsonValue versionValue || !versionValue.TryGetValue<int>(out var version))
        {
            return (null, "The file has no version number.");
        }

        if (version != Version)
        {
            return (null, $"The file is version {version}; this instance reads version {Version}. Ask the peer to export again from a matching CivicDesk, or upgrade.");
        }

        if (envelope["signature"] is not JsonObject signature)
        {
            return (null, "The file is not signed, so where it came from cannot be checked: nothing was imported.");
        }

        if (Text(signature, "algorithm") != Algorithm)
        {
            return (null, $"The file is signed with \"{Text(signature, "algorithm")}\"; only {Algorithm} (ECDSA P-256 with SHA-256) is accepted.");
        }

        byte[] spki, signatureBytes, payloadBytes;
        try
        {
            spki = Convert.FromBase64String(Text(signature, "publicKey") ?? throw new FormatException());
            signatureBytes = Convert.FromBase64String(Text(signature, "value") ?? throw new FormatException());
            payloadBytes = Convert.FromBase64String(Text(envelope, "payload") ?? throw new FormatException());
        }
        catch (FormatException)
        {
            return (null, "The file's payload, public key or signature is missing or not base64.");
        }

        var fingerprint = FingerprintOf(spki);
        if (!string.Equals(Text(signature, "fingerprint"), fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            return (null, "The fingerprint in the file does not belong to the public key in it: the file was altered.");
        }

        using (var ecdsa = ECDsa.Create())
        {
            try
            {
                ecdsa.ImportSubjectPublicKeyInfo(spki, out var read);
                if (read != spki.Length || ecdsa.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                {
                    return (null, "The public key in the file is not an ECDSA P-256 key.");
                }
            }
            catch (CryptographicException)
            {
                return (null, "The public key in the file is not an ECDSA P-256 key.");
            }

            if (!ecdsa.VerifyData(payloadBytes, signatureBytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return (null, "The signature does not match: the file was changed after it was signed, or was signed with another key. Nothing was imported.");
            }
        }

        ExportPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<ExportPayload>(payloadBytes, Json);
        }
        catch (JsonException e)
        {
            return (null, $"The signed content is not a valid export ({e.Message}).");
        }

        if (payload is null)
        {
            return (null, "The signed content is empty.");
        }

        if (payload.Version != Version)
        {
            return (null, $"The signed content is version {payload.Version}; this instance reads version {Version}.");
        }

        if (Problem(payload) is { } problem)
        {
            return (null, $"The signed content is not a valid export: {problem}.");
        }

        return (new VerifiedExport(payload, Convert.ToBase64String(spki), fingerprint), null);
    }

    private static string? Problem(ExportPayload p)
    {
        static bool Short(string? s) => !string.IsNullOrWhiteSpace(s) && s.Length <= EngagementPeer.MaxNameLength;
        if (!Short(p.Organisation.Name) || !Short(p.Organisation.Slug) || !Short(p.InstanceId) || string.IsNullOrWhiteSpace(p.MethodsVersion) || p.MethodsVersion.Length > 32)
        {
            return "the organisation's name and slug, the instance id and the methods version must be given (at most 200 characters)";
        }

        if (p.Months.Count == 0 || p.Months.Count > MaxMonths)
        {
            return $"it must hold between 1 and {MaxMonths} months";
        }

        var seen = new HashSet<string>();
        foreach (var m in p.Months)
        {
            if (!DateOnly.TryParseExact(m.Month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                return $"\"{Clip(m.Month)}\" is not a month (yyyy-MM)";
            }

            if (!seen.Add(m.Month))
            {
                return $"month {m.Month} appears twice";
            }

            if (m.Score is { } s && !(s >= 0 && s <= 100) || !(m.Coverage >= 0 && m.Coverage <= 1) || m.Conversations < 0)
            {
                return $"month {m.Month} has a score outside 0–100, coverage outside 0–1 or a negative count";
            }

            if (m.Components.Count > 20 || m.Components.Any(c => c.Key.Length is 0 or > 64 || c.Value is { } v && !(v >= 0 && v <= 100)))
            {
                return $"month {m.Month} has a component outside 0–100 or too many components";
            }
        }

        return null;
    }

    private static string Clip(string s) => s.Length > 20 ? s[..20] + "…" : s;

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>
    /// Verifies and stores a peer's file: all or nothing. A file signed by a key already imported replaces that
    /// peer's months; the organisation's own file is refused.
    /// </summary>
    public async Task<ImportOutcome> ImportAsync(byte[] file, string? staffId, string staffName, CancellationToken ct)
    {
        var (verified, error) = Verify(file);
        if (verified is null)
        {
            return new ImportOutcome(error);
        }

        if (await db.EngagementSigningKeys.AnyAsync(k => k.Fingerprint == verified.Fingerprint, ct))
        {
            return new ImportOutcome("This is your own organisation's file (it is signed with your key): there is nothing to compare.");
        }

        var p = verified.Payload;
        var organisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation.");
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var peer = await db.EngagementPeers.SingleOrDefaultAsync(x => x.Fingerprint == verified.Fingerprint, ct);
        var replaced = peer is not null;
        if (peer is not null)
        {
            if (p.ExportedAt < peer.ExportedAt)
            {
                return new ImportOutcome($"A newer file from {peer.Name} (exported {peer.ExportedAt:d MMMM yyyy HH:mm} UTC) is already imported; this one is older, so nothing was changed.");
            }

            await db.EngagementPeerMonths.Where(m => m.PeerId == peer.Id).ExecuteDeleteAsync(ct);
        }
        else
        {
            peer = new EngagementPeer
            {
                OrganisationId = organisationId, Fingerprint = verified.Fingerprint, PublicKey = verified.PublicKey, Name = "", Slug = "", InstanceId = "", MethodsVersion = "", ImportedByName = "",
            };
            db.EngagementPeers.Add(peer);
        }

        peer.Name = p.Organisation.Name.Trim();
        peer.Slug = p.Organisation.Slug.Trim();
        peer.InstanceId = p.InstanceId.Trim();
        peer.MethodsVersion = p.MethodsVersion;
        peer.ExportedAt = DateTime.SpecifyKind(p.ExportedAt, DateTimeKind.Utc);
        peer.ImportedAt = time.GetUtcNow().UtcDateTime;
        peer.ImportedById = staffId;
        peer.ImportedByName = staffName;
        await db.SaveChangesAsync(ct);
        foreach (var m in p.Months)
        {
            db.EngagementPeerMonths.Add(new EngagementPeerMonth
            {
                OrganisationId = organisationId, PeerId = peer.Id,
                Month = DateOnly.ParseExact(m.Month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture),
                Score = m.Score, Coverage = m.Coverage, Conversations = m.Conversations,
                ComponentsJson = JsonSerializer.Serialize(m.Components, Json),
            });
        }

        audit.Record(replaced ? "engagement.peer-replaced" : "engagement.peer-imported", "EngagementPeer", peer.Id, null,
            $"{peer.Name} ({peer.Slug}, instance {peer.InstanceId}), {p.Months.Count} months, fingerprint {peer.Fingerprint}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new ImportOutcome(null, peer, replaced);
    }

    public async Task<IReadOnlyList<EngagementPeer>> PeersAsync(CancellationToken ct) =>
        await db.EngagementPeers.AsNoTracking().Include(p => p.Months).OrderBy(p => p.Name).ToListAsync(ct);

    public async Task<bool> RemovePeerAsync(long id, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var peer = await db.EngagementPeers.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (peer is null)
        {
            return false;
        }

        db.EngagementPeers.Remove(peer);
        audit.Record("engagement.peer-removed", "EngagementPeer", id, $"{peer.Name}, fingerprint {peer.Fingerprint}", null);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
