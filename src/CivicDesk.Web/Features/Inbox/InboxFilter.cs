using System.Globalization;
using System.Text;
using CivicDesk.Web.Domain;
using Microsoft.AspNetCore.Mvc;

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
    public InboxAge Age { get; set; }
    public bool Mine { get; set; }
    public bool Urgent { get; set; }
    public bool Mentions { get; set; }
    /// <summary>Only conversations past their first-response target (Features/Sla); the page fills <see cref="OverdueIds"/>.</summary>
    public bool Overdue { get; set; }
    internal IReadOnlyCollection<long> OverdueIds { get; set; } = [];
    public InboxSort Sort { get; set; }
    /// <summary>Read from the query string only: Razor Pages keep a route value called "page" (the page's path).</summary>
    [FromQuery(Name = "page")]
    public int Page { get; set; } = 1;

    /// <summary>No status chosen means "still to do": everything but Resolved and Closed.</summary>
    public IReadOnlyList<ConversationStatus> Statuses => Status.Count > 0 ? Status : OpenStatuses;

    public bool IsDefault => Status.Count == 0 && Team is null && Channel is null && string.IsNullOrEmpty(Kind) && string.IsNullOrEmpty(Category)
                             && string.IsNullOrEmpty(Sentiment) && Age == InboxAge.Any && !Mine && !Urgent && !Mentions && !Overdue;

    /// <summary>
    /// Applies every filter. The status and team counts each leave their own filter out (facet counts), so the
    /// panel shows how many there would be if that option were chosen.
    /// </summary>
    public IQueryable<Conversation> Apply(IQueryable<Conversation> q, DateTime now, string staffId, IReadOnlyCollection<long> mentionedConversationIds,
        bool ignoreStatus = false, bool ignoreTeam = false)
    {
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
            q = q.Where(c => c.Channel!.Kind == kind);
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

        if (Urgent)
        {
            q = q.Where(c => c.IsUrgent);
        }

        if (Mentions)
        {
            var ids = mentionedConversationIds.ToList();
            q = q.Where(c => ids.Contains(c.Id));
        }

        if (Overdue)
        {
            var overdue = OverdueIds.ToList();
            q = q.Where(c => overdue.Contains(c.Id));
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

    /// <summary>The query string for these filters (page 1 unless given), for links, polling and redirects.</summary>
    public string ToQueryString(int? page = null)
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
        Add("age", Age == InboxAge.Any ? null : Age.ToString());
        Add("mine", Mine ? "true" : null);
        Add("urgent", Urgent ? "true" : null);
        Add("mentions", Mentions ? "true" : null);
        Add("overdue", Overdue ? "true" : null);
        Add("sort", Sort == InboxSort.Priority ? null : Sort.ToString());
        var p = page ?? 1;
        Add("page", p > 1 ? p.ToString(CultureInfo.InvariantCulture) : null);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

/// <summary>Words for the inbox and conversation pages.</summary>
public static class InboxText
{
    public static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => "just now",
        { TotalMinutes: < 2 } => "1 minute",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes} minutes",
        { TotalHours: < 2 } => "1 hour",
        { TotalDays: < 1 } => $"{(int)age.TotalHours} hours",
        { TotalDays: < 2 } => "1 day",
        _ => $"{(int)age.TotalDays} days",
    };

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

    /// <summary>"service_request" → "Service request".</summary>
    public static string Label(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "None";
        }

        var words = value.Replace('_', ' ');
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static string Channel(ChannelKind kind) => kind switch
    {
        ChannelKind.WebForm => "Web form",
        ChannelKind.Api => "API",
        ChannelKind.Twitter => "X (Twitter)",
        ChannelKind.Rss => "RSS",
        _ => kind.ToString(),
    };

    public static string StatusTagClass(ConversationStatus status) => status switch
    {
        ConversationStatus.New => "govuk-tag--purple",
        ConversationStatus.Open => "govuk-tag--turquoise",
        ConversationStatus.WaitingOnCitizen => "govuk-tag--yellow",
        ConversationStatus.Resolved => "govuk-tag--green",
        _ => "govuk-tag--grey",
    };

    public static string PriorityTagClass(Priority priority) => priority switch
    {
        Priority.Urgent => "govuk-tag--red",
        Priority.High => "govuk-tag--orange",
        Priority.Low => "govuk-tag--grey",
        _ => "govuk-tag--teal",
    };

    public static string SentimentTagClass(string? sentiment) => sentiment switch
    {
        "negative" => "govuk-tag--pink",
        "positive" => "govuk-tag--green",
        _ => "govuk-tag--grey",
    };

    /// <summary>en-GB, GOV.UK style: "2:05pm on 21 November 2026".</summary>
    public static string When(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        var culture = CultureInfo.GetCultureInfo("en-GB");
        var time = local.ToString(local.Minute == 0 ? "%h" : "h:mm", culture) + (local.Hour < 12 ? "am" : "pm");
        return new StringBuilder(time).Append(" on ").Append(local.ToString("d MMMM yyyy", culture)).ToString();
    }

    public static TimeZoneInfo Zone(string? id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrEmpty(id) ? "Europe/London" : id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
    }
}
