namespace CivicDesk.Web.Domain;

/// <summary>
/// A question-and-answer session on social media (e.g. "#AskTheCouncil, Tuesday 6–7pm"): questions on its channels
/// that carry its hashtag or mention its account inside the window are gathered on a board for staff to answer.
/// </summary>
public sealed class QaSession : IOrganisationOwned
{
    public const int MaxTitleLength = 120;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Title { get; set; }
    /// <summary>Without the #.</summary>
    public string? Hashtag { get; set; }
    /// <summary>Without the @.</summary>
    public string? Account { get; set; }
    /// <summary>Comma-separated channel ids the session listens on.</summary>
    public string ChannelIds { get; set; } = "";
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string CreatedByName { get; set; }
}

public enum QaQuestionState
{
    Open,
    Dismissed,
}

/// <summary>A message gathered into a session; unique per (session, message).</summary>
public sealed class QaQuestion : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long SessionId { get; set; }
    public long MessageId { get; set; }
    public long ConversationId { get; set; }
    public long ChannelId { get; set; }
    public required string AuthorHandle { get; set; }
    public DateTime AskedAt { get; set; }
    public QaQuestionState State { get; set; } = QaQuestionState.Open;
    public long? FaqEntryId { get; set; }
    /// <summary>When the asker was told their question is in the FAQ; set once, never sent twice.</summary>
    public DateTime? AskerNotifiedAt { get; set; }
}

/// <summary>A question and its answer on the public FAQ page, under a topic.</summary>
public sealed class FaqEntry : IOrganisationOwned
{
    public const int MaxQuestionLength = 500;
    public const int MaxAnswerLength = 5000;
    public const int MaxTopicLength = 80;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Question { get; set; }
    public required string Answer { get; set; }
    public required string Topic { get; set; }
    public bool IsPublished { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string CreatedByName { get; set; }
    public long? SourceQuestionId { get; set; }
}
