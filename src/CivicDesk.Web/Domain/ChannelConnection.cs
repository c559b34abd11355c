namespace CivicDesk.Web.Domain;

/// <summary>
/// How one channel connects to its network: the connector's settings, its secrets (encrypted with Data Protection,
/// never stored or shown in clear), whether the connector host runs it, and what it last reported.
/// </summary>
public sealed class ChannelConnection : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChannelId { get; set; }
    /// <summary>Non-secret settings as a JSON object of strings, by connector field name.</summary>
    public string SettingsJson { get; set; } = "{}";
    /// <summary>The secret settings as one Data Protection payload; null when none are set.</summary>
    public string? ProtectedSecrets { get; set; }
    public bool IsEnabled { get; set; }
    public DateTime UpdatedAt { get; set; }

    // Health the connector host persists, so the admin page survives a restart.
    public DateTime? LastEventAt { get; set; }
    public string? LastError { get; set; }
    public DateTime? LastErrorAt { get; set; }
}

/// <summary>Where a channel's inbound stream last committed (cursor, since_id, ETag…); written only after the batch is stored.</summary>
public sealed class ConnectorCheckpoint : IOrganisationOwned
{
    public long ChannelId { get; set; }
    public long OrganisationId { get; set; }
    public required string Value { get; set; }
    public DateTime UpdatedAt { get; set; }
}
