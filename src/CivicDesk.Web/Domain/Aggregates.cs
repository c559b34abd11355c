namespace CivicDesk.Web.Domain;

/// <summary>
/// Message counts per bucket and dimension, maintained by the aggregate worker (Features/Dashboards) from the
/// messages and conversations tables. Dimensions with no value use 0 or "" (never null) so they can be key parts.
/// Deleted messages (tombstones) are not counted, as they are hidden everywhere else.
/// </summary>
public abstract class MessageCountRow : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public long ChannelId { get; set; }
    /// <summary>The team of the message's conversation now (0: none), so reassignments and merges move the count.</summary>
    public long TeamId { get; set; }
    public MessageDirection Direction { get; set; }
    /// <summary>True for public posts kept by a listening search (not contact addressed to the organisation).</summary>
    public bool Listening { get; set; }
    public string Kind { get; set; } = "";
    public string Category { get; set; } = "";
    public string Sentiment { get; set; } = "";
    /// <summary>Who sent an outbound reply ("" for inbound messages).</summary>
    public string StaffId { get; set; } = "";
    public int Count { get; set; }
}

/// <summary>One UTC hour.</summary>
public sealed class HourlyMessageCount : MessageCountRow
{
    public DateTime HourStart { get; set; }
}

/// <summary>One day in the organisation's own time zone (a local day has 23, 24 or 25 hours).</summary>
public sealed class DailyMessageCount : MessageCountRow
{
    public DateOnly Day { get; set; }
}

/// <summary>
/// One local week, Monday to Sunday, summed from the daily rows: a long period (the dashboard's weekly grain) reads a
/// row per week and combination instead of seven, and only the part-weeks at its ends from the daily rows.
/// </summary>
public sealed class WeeklyMessageCount : MessageCountRow
{
    /// <summary>The Monday the week starts on.</summary>
    public DateOnly WeekStart { get; set; }
}

/// <summary>
/// One calendar month of local days, summed from the daily rows (every dimension, teams included): the period
/// breakdowns of a long view (no time bucket) read a row per month and combination instead of one per week, and only
/// the weeks and days either side of the whole months from the weekly and daily rows.
/// </summary>
public sealed class MonthlyMessageCount : MessageCountRow
{
    /// <summary>The first day of the month.</summary>
    public DateOnly MonthStart { get; set; }
}

public enum TopicKind
{
    Place,
    ListeningSearch,
    /// <summary>A #hashtag in the text (lower case, without '#'), read by <c>Platform.Hashtags</c>.</summary>
    Hashtag,
}

/// <summary>Inbound messages per local day, place, listening search or hashtag, team and sentiment: the "live feeling" charts.</summary>
public sealed class DailyTopicCount : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public DateOnly Day { get; set; }
    public TopicKind TopicKind { get; set; }
    public required string Topic { get; set; }
    public long TeamId { get; set; }
    public string Sentiment { get; set; } = "";
    public int Count { get; set; }
}

/// <summary>
/// One local week (Monday to Sunday) of the daily topic rows, summed: the topic charts of a period take its whole weeks
/// from here and only the part-weeks at its ends from the daily rows, so ranking a year's places reads a row per week,
/// topic, team and sentiment rather than seven.
/// </summary>
public sealed class WeeklyTopicCount : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    /// <summary>The Monday the week starts on.</summary>
    public DateOnly WeekStart { get; set; }
    public TopicKind TopicKind { get; set; }
    public required string Topic { get; set; }
    public long TeamId { get; set; }
    public string Sentiment { get; set; } = "";
    public int Count { get; set; }
}

/// <summary>
/// An organisation's topic rows of one bucket (day, week or month), all teams together, with the sentiments as count
/// columns: one row per bucket, kind and topic. Only views with no team restriction read them (most of a dashboard's
/// topic rows differ only by team and sentiment: at 10 M messages a day has ≈ 5,300 team rows and ≈ 2,100 of these, a
/// week ≈ 15,300 and ≈ 3,200), so ranking the organisation's places over a period reads one row per bucket and topic
/// (docs/dashboards.md).
/// </summary>
public abstract class OrganisationTopicTotals : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public TopicKind TopicKind { get; set; }
    public required string Topic { get; set; }
    /// <summary>Every message of the topic in the bucket, whatever its sentiment (the four columns below and any other label).</summary>
    public int Count { get; set; }
    public int Negative { get; set; }
    public int Neutral { get; set; }
    public int Positive { get; set; }
    /// <summary>Messages with no sentiment ("").</summary>
    public int Unclassified { get; set; }

    /// <summary>Adds <paramref name="n"/> messages of a sentiment label (one the four columns do not name counts in <see cref="Count"/> only).</summary>
    public void Add(string sentiment, int n)
    {
        Count += n;
        switch (sentiment)
        {
            case "negative": Negative += n; break;
            case "neutral": Neutral += n; break;
            case "positive": Positive += n; break;
            case "": Unclassified += n; break;
        }
    }

    /// <summary>Adds another row's figures (a difference, when they are negative).</summary>
    public void Add(OrganisationTopicTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        Negative += other.Negative;
        Neutral += other.Neutral;
        Positive += other.Positive;
        Unclassified += other.Unclassified;
    }

    /// <summary>Every figure is zero: as a difference, nothing changed.</summary>
    public bool IsZero => Count == 0 && Negative == 0 && Neutral == 0 && Positive == 0 && Unclassified == 0;
}

/// <summary>
/// One local day of an organisation's topic rows, summed over teams from <see cref="DailyTopicCount"/>: the edge days
/// of an organisation's period, and the emerging-issue test (a day's topics and their 28-day baselines).
/// </summary>
public sealed class DailyOrganisationTopicCount : OrganisationTopicTotals
{
    public DateOnly Day { get; set; }
}

/// <summary>One local week (Monday to Sunday) of an organisation's topic rows, summed over teams from <see cref="WeeklyTopicCount"/>.</summary>
public sealed class WeeklyOrganisationTopicCount : OrganisationTopicTotals
{
    /// <summary>The Monday the week starts on.</summary>
    public DateOnly WeekStart { get; set; }
}

/// <summary>
/// One calendar month (local days) of an organisation's topic rows, all teams together: the whole months of an
/// organisation's period (the weeks and days either side come from the weekly and daily organisation rows).
/// </summary>
public sealed class MonthlyOrganisationTopicCount : OrganisationTopicTotals
{
    /// <summary>The first day of the month.</summary>
    public DateOnly MonthStart { get; set; }
}

/// <summary>
/// First-response and resolution times of the conversations opened on one local day, per team (0: none), in working
/// hours of the organisation's calendar. The distributions are kept as <c>DurationSketch</c> bins (each time to within
/// 1%) so any period's median and 90th percentile come from merging rows, never from reading conversations; the counts
/// within target are exact, measured against each conversation's own policy (team, service, priority) as they stood
/// when the row was computed. <see cref="Basis"/> names those policies and the calendar: when either changes, the
/// aggregate worker recomputes the rows whose basis is out of date, and the dashboard says so meanwhile.
/// </summary>
public sealed class DailyResponseTime : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public DateOnly Day { get; set; }
    public long TeamId { get; set; }
    public int Opened { get; set; }
    public int Answered { get; set; }
    public int AnsweredWithTarget { get; set; }
    public int AnsweredWithinTarget { get; set; }
    public int Resolved { get; set; }
    public int ResolvedWithTarget { get; set; }
    public int ResolvedWithinTarget { get; set; }
    public byte[] FirstResponseHours { get; set; } = [];
    public byte[] ResolutionHours { get; set; } = [];
    public string Basis { get; set; } = "";
}

/// <summary>
/// Conversations not yet resolved (new, open or waiting on the citizen) per UTC hour they were opened and team: the
/// backlog by age is a sum over these rows (the hours a band boundary falls in are counted from the conversations).
/// Only hours with an open conversation have a row.
/// </summary>
public sealed class HourlyOpenConversation : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public DateTime HourStart { get; set; }
    public long TeamId { get; set; }
    public int Count { get; set; }
}

/// <summary>
/// A UTC hour whose counts must be recomputed. Rows are written by database triggers on messages and conversations
/// (so every writer is captured, whatever code path it takes) and consumed by the aggregate worker.
/// </summary>
public sealed class AggregateDirtyHour
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public DateTime HourStart { get; set; }

    /// <summary>
    /// When the aggregate worker took the mark (null: not yet). A claimed mark is recomputed from data read after the
    /// claim, so a change to its hour meanwhile must leave a fresh mark: the SQLite trigger's "already marked" test
    /// skips claimed marks. Left set by a batch that never finished, it is simply taken again.
    /// </summary>
    public DateTime? ClaimedAt { get; set; }
}
