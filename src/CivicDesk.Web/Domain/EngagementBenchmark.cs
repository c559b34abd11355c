namespace CivicDesk.Web.Domain;

/// <summary>
/// An organisation's consent to benchmarking on this instance: while the row exists, its monthly Engagement Index
/// (overall and components, never its name) counts among the peers whose percentiles other opted-in organisations
/// see. Deleting it (opting out) removes it from everyone's view at once, with its stored scores.
/// </summary>
public sealed class BenchmarkOptIn : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public DateTime OptedInAt { get; set; }
    public string? OptedInById { get; set; }
    public required string OptedInByName { get; set; }
}

/// <summary>
/// One month of an opted-in organisation's own index as last computed (on its page, on opting in, and by the
/// benchmark worker), so peers' percentiles are read from stored figures instead of recomputing every body.
/// </summary>
public sealed class EngagementScoreSnapshot : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public DateOnly Month { get; set; }
    public double? Score { get; set; }
    /// <summary>Component scores by key (JSON object; null for "not measured").</summary>
    public required string ComponentsJson { get; set; }
    public double Coverage { get; set; }
    public int Conversations { get; set; }
    public required string MethodsVersion { get; set; }
    public DateTime ComputedAt { get; set; }
}

/// <summary>
/// The organisation's ECDSA P-256 key pair for signing exported index files, made on first use. The private key
/// (PKCS#8) is stored only as an ASP.NET Core Data Protection payload.
/// </summary>
public sealed class EngagementSigningKey : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    /// <summary>SubjectPublicKeyInfo (DER), base64.</summary>
    public required string PublicKey { get; set; }
    /// <summary>SHA-256 of the SubjectPublicKeyInfo, 64 hex digits (lower case).</summary>
    public required string Fingerprint { get; set; }
    public required string ProtectedPrivateKey { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A peer organisation (usually on another instance) whose signed index file this organisation imported. One row
/// per signing key: a newer file from the same key replaces the months of the older one.
/// </summary>
public sealed class EngagementPeer : IOrganisationOwned
{
    public const int MaxNameLength = 200;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>SHA-256 of the peer's public key (64 hex digits), as shown to compare with what the peer says.</summary>
    public required string Fingerprint { get; set; }
    public required string PublicKey { get; set; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public required string InstanceId { get; set; }
    public required string MethodsVersion { get; set; }
    public DateTime ExportedAt { get; set; }
    public DateTime ImportedAt { get; set; }
    public string? ImportedById { get; set; }
    public required string ImportedByName { get; set; }
    public List<EngagementPeerMonth> Months { get; set; } = [];
}

public sealed class EngagementPeerMonth : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long PeerId { get; set; }
    public DateOnly Month { get; set; }
    public double? Score { get; set; }
    public required string ComponentsJson { get; set; }
    public double Coverage { get; set; }
    public int Conversations { get; set; }
}

/// <summary>This installation's identity in exported files: made once, never changed.</summary>
public sealed class InstanceIdentity
{
    public int Id { get; set; }
    public required string InstanceId { get; set; }
    public DateTime CreatedAt { get; set; }
}
