namespace CivicDesk.Web.Domain;

public enum NewsPostStatus
{
    Draft,
    /// <summary>A trainee's post waiting for their mentor.</summary>
    InReview,
    /// <summary>Approved, waiting for its embargo to lift.</summary>
    Scheduled,
    Published,
    /// <summary>Taken down: the URL stays and says the post was withdrawn, and why.</summary>
    Withdrawn,
}

/// <summary>A newsroom post written in Markdown (rendered through Markdig and HtmlSanitizer), public once published and past its embargo.</summary>
public sealed class NewsPost : IOrganisationOwned
{
    public const int MaxBodyLength = 50_000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public required string Summary { get; set; }
    public required string BodyMarkdown { get; set; }
    /// <summary>Tags as "|roads|winter|" so a tag filter is one LIKE on both databases.</summary>
    public string Tags { get; set; } = "|";
    public NewsPostStatus Status { get; set; } = NewsPostStatus.Draft;
    /// <summary>Not public before this instant, even when published.</summary>
    public DateTime? EmbargoUntil { get; set; }
    public DateTime? PublishedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? WithdrawnAt { get; set; }
    public string? WithdrawalReason { get; set; }
    public required string AuthorId { get; set; }
    public required string AuthorName { get; set; }
    /// <summary>Channels to announce it on when it is published (JSON array of channel ids), with per-channel text variants.</summary>
    public string ChannelsJson { get; set; } = "[]";
    public long? PublicationId { get; set; }
    public List<NewsPostImage> Images { get; set; } = [];
    public List<NewsPostChange> Changes { get; set; } = [];

    public IReadOnlyList<string> TagList => Tags.Split('|', StringSplitOptions.RemoveEmptyEntries);
}

public sealed class NewsPostImage : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long NewsPostId { get; set; }
    public int Position { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Data { get; set; }
    public required string AltText { get; set; }
}

/// <summary>A visible change-log line for a published post that was edited ("Corrected the closure dates").</summary>
public sealed class NewsPostChange : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long NewsPostId { get; set; }
    public DateTime At { get; set; }
    public required string Note { get; set; }
    public required string ActorName { get; set; }
}
