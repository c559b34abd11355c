using System.Globalization;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Inbox;

public enum InboxSort
{
    /// <summary>Urgent first, then by priority, then oldest first: the order work should be picked up in.</summary>
    Priority,
    Newest,
    Oldest,
}

public enum InboxAge
{
    Any,
    UnderHour,
    UnderDay,
    OverDay,
    OverWeek,
}

/// <summary>The inbox's filters and sort, bound from the query string (names without a prefix: ?status=Open&amp;team=3).</summary>
public sealed class InboxFilter
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<ConversationStatus> OpenStatuses =
        [ConversationStatus.New, ConversationStatus.Open, ConversationStatus.WaitingOnCitizen];

    public List<ConversationStatus> Status { get; set; } = [];
    public long? Team { get; set; }
    public ChannelKind? Channel { get; set; }
    public string? Kind { get; set; }
    public string? Category { get; set; }
    public string? Sentiment { get; set; }
    /// <summary>The listening search that kept a message of the conversation (Connectors).</summary>
    public string? Search { get; set; }
    public InboxAge Age { get; set; }
    public bool Mine { get; set; }
    public bool Urgent { get; set; }
    public bool Mentions { get; set; }
    /// <summary>Only conversations past their first-response target (Features/Sla); the page fills <see cref="OverdueIds"/>.</summary>
    public bool Overdue { get; set; }
    internal IReadOnlyCollection<long> OverdueIds { get; set; } = [];
    /// <summary>The ids of the organisation's channels of kind <see cref="Channel"/>, when the caller looked them up (<see cref="InboxQuery"/>).</summary>
    internal IReadOnlyCollection<long>? ChannelIds { get; set; }
    /// <summary>Only conversations with a message triage was unsure of (see Features/Triage).</summary>
    public bool NeedsHuman { get; set; }
    /// <summary>Text to find in the reference, subject, citizen's handle or name (<see cref="ConversationSearch"/>).</summary>
    public string? Q { get; set; }
    /// <summary>The typed search read as words; null when nothing was typed.</summary>
    public TextQuery? Text => TextQuery.Parse(Q);
    public InboxSort Sort { get; set; }
    /// <summary>An opaque cursor (<see cref="InboxCursors"/>): the page after this row. None, or a bad one, means the first page.</summary>
    public string? After { get; set; }
    /// <summary>An opaque cursor: the page before this row.</summary>
    public string? Before { get; set; }

    /// <summary>Counts stop here ("more than 1,000"): counting every conversation on each view does not scale.</summary>
    public const int CountCap = 1000;

    /// <summary>No status chosen means "still to do": everything but Resolved and Closed.</summary>
    public IReadOnlyList<ConversationStatus> Statuses => Status.Count > 0 ? Status : OpenStatuses;

    public bool IsDefault => Status.Count == 0 && Team is null && Channel is null && string.IsNullOrEmpty(Kind) && string.IsNullOrEmpty(Category)
                             && string.IsNullOrEmpty(Sentiment) && string.IsNullOrEmpty(Search) && Age == InboxAge.Any && !Mine && !Urgent && !Mentions && !Overdue && !NeedsHuman
                             && string.IsNullOrWhiteSpace(Q);

    /// <summary>
    /// Applies every filter. The status and team counts each leave their own filter out (facet counts), so the
    /// panel shows how many there would be if that option were chosen. A typed search narrows to
    /// <c>textMatches</c>, the ids <see cref="ConversationSearch.NewestMatchesAsync"/> finds for <see cref="Text"/>.
    /// Boolean filters compare with a parameter (<c>== yes</c>): SQLite uses an index for <c>"IsUrgent" = ?</c> but
    /// not for <c>WHERE "IsUrgent"</c>. "Needs a human" is the exception: its index is partial, and the bare column is
    /// that index's condition.
    /// </summary>
    public IQueryable<Conversation> Apply(IQueryable<Conversation> q, DateTime now, string staffId, IReadOnlyCollection<long> mentionedConversationIds,
        bool ignoreStatus = false, bool ignoreTeam = false, IReadOnlyCollection<long>? textMatches = null)
    {
        if (textMatches is not null)
        {
            // One array parameter (json_each on SQLite, an array on PostgreSQL), not EF Core 10's default of one
            // parameter per id: up to 1,001 ids, passed once per facet count, cost 218 of a 299-ms view at 3 M messages.
            var ids = textMatches.ToList();
            q = q.Where(c => EF.Parameter(ids).Contains(c.Id));
        }

        if (!ignoreStatus)
        {
            var statuses = Statuses.ToList();
            q = q.Where(c => statuses.Contains(c.Status));
        }

        if (!ignoreTeam && Team is { } team)
        {
            q = q.Where(c => c.AssignedTeamId == team);
        }

        if (Channel is { } kind)
        {
            var channelIds = ChannelIds?.ToList();
            q = channelIds is null ? q.Where(c => c.Channel!.Kind == kind) : q.Where(c => channelIds.Contains(c.ChannelId));
        }

        if (!string.IsNullOrEmpty(Kind))
        {
            q = q.Where(c => c.Kind == Kind);
        }

        if (!string.IsNullOrEmpty(Category))
        {
            q = q.Where(c => c.Category == Category);
        }

        if (!string.IsNullOrEmpty(Sentiment))
        {
            q = q.Where(c => c.Sentiment == Sentiment);
        }

        if (!string.IsNullOrEmpty(Search))
        {
            q = q.Where(c => c.Messages.Any(m => m.MatchedSearch == Search));
        }

        q = Age switch
        {
            InboxAge.UnderHour => q.Where(c => c.CreatedAt >= now.AddHours(-1)),
            InboxAge.UnderDay => q.Where(c => c.CreatedAt >= now.AddDays(-1)),
            InboxAge.OverDay => q.Where(c => c.CreatedAt < now.AddDays(-1)),
            InboxAge.OverWeek => q.Where(c => c.CreatedAt < now.AddDays(-7)),
            _ => q,
        };

        if (Mine)
        {
            q = q.Where(c => c.AssignedStaffId == staffId);
        }

        var yes = true;
        if (Urgent)
        {
            q = q.Where(c => c.IsUrgent == yes);
        }

        if (NeedsHuman)
        {
            // Kept by database triggers from the messages (Data/NeedsHumanTriggers.cs).
            // Bare, not "= true": that is the partial index's own condition (Data/Configurations).
            q = q.Where(c => c.NeedsHuman);
        }

        if (Mentions)
        {
            var ids = mentionedConversationIds.ToList();
            q = q.Where(c => EF.Parameter(ids).Contains(c.Id));
        }

        if (Overdue)
        {
            var overdue = OverdueIds.ToList();
            q = q.Where(c => EF.Parameter(overdue).Contains(c.Id));
        }

        return q;
    }

    public static IQueryable<Conversation> Sorted(IQueryable<Conversation> q, InboxSort sort) => sort switch
    {
        InboxSort.Newest => q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
        InboxSort.Oldest => q.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
        // Priority is stored as its name, so rank it explicitly rather than sorting the text.
        _ => q.OrderByDescending(c => c.IsUrgent)
            .ThenByDescending(c => c.Priority == Priority.Urgent ? 3 : c.Priority == Priority.High ? 2 : c.Priority == Priority.Normal ? 1 : 0)
            .ThenBy(c => c.CreatedAt).ThenBy(c => c.Id),
    };

    /// <summary>The query string for these filters (the first page unless a cursor is given), for links, polling and redirects.</summary>
    public string ToQueryString(string? after = null, string? before = null)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        foreach (var s in Status)
        {
            Add("status", s.ToString());
        }

        Add("team", Team?.ToString(CultureInfo.InvariantCulture));
        Add("channel", Channel?.ToString());
        Add("kind", Kind);
        Add("category", Category);
        Add("sentiment", Sentiment);
        Add("search", Search);
        Add("q", string.IsNullOrWhiteSpace(Q) ? null : Q.Trim());
        Add("age", Age == InboxAge.Any ? null : Age.ToString());
        Add("mine", Mine ? "true" : null);
        Add("urgent", Urgent ? "true" : null);
        Add("mentions", Mentions ? "true" : null);
        Add("overdue", Overdue ? "true" : null);
        Add("needshuman", NeedsHuman ? "true" : null);
        Add("sort", Sort == InboxSort.Priority ? null : Sort.ToString());
        Add("after", after);
        Add("before", before);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

/// <summary>Words for the inbox filter controls.</summary>
public static class InboxFilterText
{
    public static string AgeLabel(InboxAge age) => age switch
    {
        InboxAge.UnderHour => "Less than 1 hour",
        InboxAge.UnderDay => "Less than 24 hours",
        InboxAge.OverDay => "More than 24 hours",
        InboxAge.OverWeek => "More than 7 days",
        _ => "Any age",
    };

    public static string SortLabel(InboxSort sort) => sort switch
    {
        InboxSort.Newest => "Newest first",
        InboxSort.Oldest => "Oldest first",
        _ => "Urgent and highest priority first",
    };
}
