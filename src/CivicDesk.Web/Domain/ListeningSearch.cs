namespace CivicDesk.Web.Domain;

public enum SearchMatch
{
    /// <summary>A post matches when it contains any of the terms.</summary>
    Any,
    /// <summary>A post matches only when it contains every term.</summary>
    All,
}

/// <summary>
/// A saved search that decides which public posts an organisation keeps: keywords, #hashtags, place names and
/// @handles, one per line. Posts addressed to the organisation's own accounts are kept without one.
/// </summary>
public sealed class ListeningSearch : IOrganisationOwned
{
    public const int MaxTermsLength = 2000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Name { get; set; }
    /// <summary>One term a line: a word or phrase, a #hashtag, an @handle or a place name.</summary>
    public required string Terms { get; set; }
    public SearchMatch Match { get; set; } = SearchMatch.Any;
    public bool IsEnabled { get; set; } = true;
    /// <summary>Listed on the public listening register (the default: monitoring is done in the open).</summary>
    public bool IsPublic { get; set; } = true;
    /// <summary>Required when <see cref="IsPublic"/> is false: why the public may not know about this search.</summary>
    public string? PrivateReason { get; set; }
    /// <summary>Why the organisation listens for this, in plain words for the register.</summary>
    public string? Purpose { get; set; }
    /// <summary>The UK GDPR Article 6 basis, e.g. "public task".</summary>
    public string? LegalBasis { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public IReadOnlyList<string> TermList() =>
        Terms.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
