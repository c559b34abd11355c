namespace CivicDesk.Web.Domain;

/// <summary>
/// An append-only record of who did what. Events are hash-chained per organisation: each carries the hash of
/// the one before, so editing or deleting a row breaks the chain and <c>civicdesk audit verify</c> finds it.
/// </summary>
public sealed class AuditEvent : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>1, 2, 3… per organisation; unique, so two writers cannot fork the chain.</summary>
    public long Sequence { get; set; }
    public DateTime At { get; set; }
    public string? ActorId { get; set; }
    public required string ActorName { get; set; }
    /// <summary>Dotted verb, e.g. conversation.assigned, reply.queued, rule.updated, staff.signed-in.</summary>
    public required string Action { get; set; }
    public required string TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    /// <summary>
    /// SHA-256 of <see cref="Before"/> and <see cref="After"/>; the event's <see cref="Hash"/> covers this, not the text.
    /// So a payload can be lawfully erased (retention, a citizen's erasure request) while the chain still verifies,
    /// and an edited payload still fails. Null on events recorded before this design (their hash covers the text).
    /// </summary>
    public string? PayloadHash { get; set; }
    /// <summary>When the payload was erased (Before and After are then null); recorded by a later audit.payloads-erased event.</summary>
    public DateTime? PayloadErasedAt { get; set; }
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";
}

/// <summary>
/// A signed statement "event <see cref="Sequence"/> of this organisation's chain has hash <see cref="Hash"/>", made
/// daily with an ECDSA key kept outside the database. Whoever can write to the database can rebuild a hash chain, but
/// cannot sign a checkpoint for the rebuilt one, so <c>civicdesk audit verify</c> notices.
/// </summary>
public sealed class AuditCheckpoint : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long Sequence { get; set; }
    public required string Hash { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>First 16 hex digits of the SHA-256 of the signing key's public key (SubjectPublicKeyInfo).</summary>
    public required string KeyId { get; set; }
    /// <summary>Base64 ECDSA P-256 signature (IEEE P1363) over <c>AuditCheckpoints.Statement</c>.</summary>
    public required string Signature { get; set; }
}
