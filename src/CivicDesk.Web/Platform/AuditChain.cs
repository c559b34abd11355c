using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Platform;

/// <summary>
/// SHA-256 hash chain over audit events, per organisation. The hash covers every field a reader relies on, in a
/// fixed order separated by a control character that citizen or staff text cannot usefully forge.
/// </summary>
public static class AuditChain
{
    /// <summary>Serialises appends within this process; the unique (organisation, sequence) index covers other processes.</summary>
    public static readonly SemaphoreSlim Gate = new(1, 1);

    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The action of the event that records an erasure; its payload (event ids, reason) is never erased.</summary>
    public const string PayloadsErasedAction = "audit.payloads-erased";

    public static void Seal(AuditEvent e, long previousSequence, string previousHash)
    {
        e.Sequence = previousSequence + 1;
        e.PreviousHash = previousHash;
        e.PayloadHash = ComputePayloadHash(e);
        e.Hash = ComputeHash(e);
    }

    /// <summary>The hash of what the event says happened (before and after), kept when the payload is erased.</summary>
    public static string ComputePayloadHash(AuditEvent e) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', e.Before is null ? "\u0000" : e.Before, e.After is null ? "\u0000" : e.After))));

    /// <summary>Erases an event's payload for retention or erasure; the chain still verifies through its payload hash.</summary>
    public static bool ErasePayload(AuditEvent e, DateTime at)
    {
        if (e.PayloadHash is null || e.PayloadErasedAt is not null)
        {
            // Events from before payload hashing cannot be erased without breaking the chain: they are kept whole.
            return false;
        }

        e.Before = null;
        e.After = null;
        e.PayloadErasedAt = at;
        return true;
    }

    public static string ComputeHash(AuditEvent e)
    {
        if (e.PayloadHash is { } payloadHash)
        {
            // Prefixed so a version-2 event can never be read as a version-1 one with that text as its payload.
            return Hash(e, "payload-sha256:" + payloadHash, "");
        }

        return Hash(e, e.Before ?? "", e.After ?? "");
    }

    private static string Hash(AuditEvent e, string before, string after)
    {
        var canonical = string.Join('\u001f',
            e.OrganisationId.ToString(CultureInfo.InvariantCulture),
            e.Sequence.ToString(CultureInfo.InvariantCulture),
            // Round-trip format, truncated to microseconds: PostgreSQL keeps no finer precision.
            new DateTime(e.At.Ticks - (e.At.Ticks % 10), DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
            e.ActorId ?? "",
            e.ActorName,
            e.Action,
            e.TargetType,
            e.TargetId ?? "",
            before,
            after,
            e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>The first place a chain does not hold, or null when it is whole.</summary>
public sealed record AuditBreak(long OrganisationId, long Sequence, long EventId, string Problem);

public sealed record AuditVerification(long OrganisationId, long EventsChecked, AuditBreak? FirstBreak, int CheckpointsChecked = 0)
{
    public bool IsIntact => FirstBreak is null;
}
