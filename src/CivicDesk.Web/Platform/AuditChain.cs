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

    public static void Seal(AuditEvent e, long previousSequence, string previousHash)
    {
        e.Sequence = previousSequence + 1;
        e.PreviousHash = previousHash;
        e.Hash = ComputeHash(e);
    }

    public static string ComputeHash(AuditEvent e)
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
            e.Before ?? "",
            e.After ?? "",
            e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>The first place a chain does not hold, or null when it is whole.</summary>
public sealed record AuditBreak(long OrganisationId, long Sequence, long EventId, string Problem);

public sealed record AuditVerification(long OrganisationId, long EventsChecked, AuditBreak? FirstBreak)
{
    public bool IsIntact => FirstBreak is null;
}
