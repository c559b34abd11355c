using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Audit;

public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>
    /// The ECDSA P-256 private key (PEM) that signs checkpoints. Keep it away from the database and its backups (for
    /// example /etc/civicdesk/audit-key.pem, readable by the service only). Default: audit-signing/ under the data
    /// directory, created on first use. Retired keys' public halves (*.pub.pem) in the same folder still verify old
    /// checkpoints.
    /// </summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>How often a checkpoint is signed for each organisation whose chain has grown.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>The checkpoint signing key, loaded from (or created at) its file; never stored in the database.</summary>
public sealed class AuditSigningKey(IOptions<AuditOptions> options, IConfiguration configuration)
{
    private readonly Lock _gate = new();
    private ECDsa? _key;

    public string KeyPath => options.Value.SigningKeyPath is { Length: > 0 } path
        ? Path.GetFullPath(path)
        : Path.Combine(DataDirectory.Resolve(configuration), "audit-signing", "checkpoint-key.pem");

    /// <summary>The private key, created with owner-only permissions the first time a checkpoint is signed.</summary>
    public ECDsa Signer()
    {
        lock (_gate)
        {
            if (_key is not null)
            {
                return _key;
            }

            var key = ECDsa.Create();
            if (File.Exists(KeyPath))
            {
                key.ImportFromPem(File.ReadAllText(KeyPath));
            }
            else
            {
                key.GenerateKey(ECCurve.NamedCurves.nistP256);
                Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var file = new StreamWriter(KeyPath, Encoding.ASCII, options))
                {
                    file.Write(key.ExportPkcs8PrivateKeyPem());
                }

                // The public half beside it: verification elsewhere (an auditor's machine) needs only this file.
                File.WriteAllText(Path.ChangeExtension(KeyPath, ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
            }

            _key = key;
            return key;
        }
    }

    /// <summary>Public keys that verify checkpoints, by key id: the current key's and retired *.pub.pem files beside it.</summary>
    public IReadOnlyDictionary<string, ECDsa> VerifyingKeys()
    {
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        var folder = Path.GetDirectoryName(KeyPath)!;
        if (File.Exists(KeyPath))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(KeyPath));
            keys[KeyId(key)] = key;
        }

        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.pub.pem"))
            {
                var key = ECDsa.Create();
                key.ImportFromPem(File.ReadAllText(file));
                keys.TryAdd(KeyId(key), key);
            }
        }

        return keys;
    }

    public static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
}

/// <summary>Signs and checks audit checkpoints.</summary>
public sealed class AuditCheckpoints(CivicDeskDb db, AuditSigningKey key, TimeProvider clock)
{
    /// <summary>What is signed: versioned, one field a line, nothing a caller controls.</summary>
    public static byte[] Statement(long organisationId, long sequence, string hash, DateTime createdAt) =>
        Encoding.UTF8.GetBytes(string.Join('\n', "civicdesk-audit-checkpoint/1", organisationId.ToString(CultureInfo.InvariantCulture),
            sequence.ToString(CultureInfo.InvariantCulture), hash, createdAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));

    public async Task<IReadOnlyList<AuditCheckpoint>> ListAsync(long organisationId, CancellationToken ct) =>
        await db.AuditCheckpoints.IgnoreQueryFilters().AsNoTracking().Where(c => c.OrganisationId == organisationId)
            .OrderBy(c => c.Sequence).ThenBy(c => c.Id).ToListAsync(ct);

    /// <summary>Signs the head of every organisation's chain that has grown since its last checkpoint; returns how many.</summary>
    public async Task<int> SignAllAsync(CancellationToken ct)
    {
        var signer = key.Signer();
        var keyId = AuditSigningKey.KeyId(signer);
        var now = clock.GetUtcNow().UtcDateTime;
        // Whole seconds: both databases keep them exactly, so the signed statement can be rebuilt from the row.
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var heads = await db.AuditEvents.IgnoreQueryFilters().AsNoTracking()
            .GroupBy(e => e.OrganisationId)
            .Select(g => new { OrganisationId = g.Key, Sequence = g.Max(e => e.Sequence) })
            .ToListAsync(ct);
        var signed = 0;
        foreach (var head in heads)
        {
            var last = await db.AuditCheckpoints.IgnoreQueryFilters().AsNoTracking().Where(c => c.OrganisationId == head.OrganisationId)
                .MaxAsync(c => (long?)c.Sequence, ct);
            if (last >= head.Sequence)
            {
                continue;
            }

            var hash = await db.AuditEvents.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.OrganisationId == head.OrganisationId && e.Sequence == head.Sequence).Select(e => e.Hash).SingleAsync(ct);
            db.AuditCheckpoints.Add(new AuditCheckpoint
            {
                OrganisationId = head.OrganisationId, Sequence = head.Sequence, Hash = hash, CreatedAt = now, KeyId = keyId,
                Signature = Convert.ToBase64String(signer.SignData(Statement(head.OrganisationId, head.Sequence, hash, now), HashAlgorithmName.SHA256)),
            });
            signed++;
        }

        await db.SaveChangesAsync(ct);
        return signed;
    }

    /// <summary>
    /// The first checkpoint that does not hold against the chain just walked (<paramref name="hashes"/>: sequence → hash
    /// at the checkpoints' sequences; <paramref name="lastSequence"/>: the chain's head), or null.
    /// </summary>
    public (long Sequence, string Problem)? FirstProblem(IReadOnlyList<AuditCheckpoint> checkpoints, IReadOnlyDictionary<long, string> hashes, long lastSequence)
    {
        if (checkpoints.Count == 0)
        {
            return null;
        }

        var keys = key.VerifyingKeys();
        foreach (var c in checkpoints)
        {
            if (!keys.TryGetValue(c.KeyId, out var publicKey))
            {
                return (c.Sequence, $"checkpoint at sequence {c.Sequence} was signed by key {c.KeyId}, which is not one of this installation's audit keys");
            }

            byte[] signature;
            try
            {
                signature = Convert.FromBase64String(c.Signature);
            }
            catch (FormatException)
            {
                signature = [];
            }

            var at = DateTime.SpecifyKind(c.CreatedAt, DateTimeKind.Utc);
            if (!publicKey.VerifyData(Statement(c.OrganisationId, c.Sequence, c.Hash, at), signature, HashAlgorithmName.SHA256))
            {
                return (c.Sequence, $"checkpoint at sequence {c.Sequence} has an invalid signature (it was forged or edited)");
            }

            if (c.Sequence > lastSequence)
            {
                return (c.Sequence, $"the chain ends at sequence {lastSequence} but a checkpoint signed {at:yyyy-MM-dd HH:mm} covers sequence {c.Sequence}: events were removed");
            }

            if (!hashes.TryGetValue(c.Sequence, out var actual) || actual != c.Hash)
            {
                return (c.Sequence, $"event {c.Sequence} no longer has the hash signed in the checkpoint of {at:yyyy-MM-dd HH:mm}: the chain was rewritten");
            }
        }

        return null;
    }
}

/// <summary>Signs checkpoints at start-up when the last one is older than the interval, then once per interval.</summary>
public sealed class AuditCheckpointWorker(IServiceScopeFactory scopes, IOptions<AuditOptions> options, ILogger<AuditCheckpointWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var signed = await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().SignAllAsync(stoppingToken);
                if (signed > 0)
                {
                    logger.LogInformation("Signed {Count} audit checkpoints", signed);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A missed checkpoint weakens the evidence but must not stop the service; the next tick tries again.
                logger.LogError(e, "Could not sign audit checkpoints");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
