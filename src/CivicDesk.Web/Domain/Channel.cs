namespace CivicDesk.Web.Domain;

public enum ChannelKind
{
    WebForm,
    Api,
    Twitter,
    Facebook,
    Mastodon,
    Bluesky,
    Rss,
    Email,
}

/// <summary>Where messages come from and replies go: one account on one network, or the web form.</summary>
public sealed class Channel : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public ChannelKind Kind { get; set; }
    public required string Name { get; set; }
    /// <summary>The organisation's account on the network (handle, page id), if any.</summary>
    public string? Account { get; set; }
    /// <summary>Names a secret held elsewhere (data protection store, environment); never the secret itself.</summary>
    public string? CredentialsReference { get; set; }
    /// <summary>SHA-256 of the channel's ingest API key, hex. The key itself is shown once and never stored.</summary>
    public string? ApiKeyHash { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; set; }

    /// <summary>Listening-only channels (RSS) cannot be answered.</summary>
    public bool CanReply => Kind is not ChannelKind.Rss;
}
