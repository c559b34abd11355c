using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

/// <summary>Aggregate tables (issue 11). The key is every dimension, so one row per bucket and combination.</summary>
internal sealed class HourlyMessageCountConfiguration : IEntityTypeConfiguration<HourlyMessageCount>
{
    public void Configure(EntityTypeBuilder<HourlyMessageCount> b)
    {
        b.ToTable("HourlyMessageCounts");
        b.HasKey(r => new { r.OrganisationId, r.HourStart, r.ChannelId, r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId });
        AggregateColumns.Configure(b);
    }
}

internal sealed class DailyMessageCountConfiguration : IEntityTypeConfiguration<DailyMessageCount>
{
    public void Configure(EntityTypeBuilder<DailyMessageCount> b)
    {
        b.ToTable("DailyMessageCounts");
        b.HasKey(r => new { r.OrganisationId, r.Day, r.ChannelId, r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId });
        AggregateColumns.Configure(b);
        AggregateColumns.SeriesIndex(b, r => new { r.OrganisationId, r.Day, r.ChannelId, r.Direction, r.Listening, r.Sentiment, r.TeamId, r.Count });
    }
}

internal sealed class WeeklyMessageCountConfiguration : IEntityTypeConfiguration<WeeklyMessageCount>
{
    public void Configure(EntityTypeBuilder<WeeklyMessageCount> b)
    {
        b.ToTable("WeeklyMessageCounts");
        b.HasKey(r => new { r.OrganisationId, r.WeekStart, r.ChannelId, r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId });
        AggregateColumns.Configure(b);
        AggregateColumns.SeriesIndex(b, r => new { r.OrganisationId, r.WeekStart, r.ChannelId, r.Direction, r.Listening, r.Sentiment, r.TeamId, r.Count });
    }
}

internal sealed class MonthlyMessageCountConfiguration : IEntityTypeConfiguration<MonthlyMessageCount>
{
    public void Configure(EntityTypeBuilder<MonthlyMessageCount> b)
    {
        b.ToTable("MonthlyMessageCounts");
        b.HasKey(r => new { r.OrganisationId, r.MonthStart, r.ChannelId, r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId });
        AggregateColumns.Configure(b);
    }
}

internal sealed class DailyTopicCountConfiguration : IEntityTypeConfiguration<DailyTopicCount>
{
    public void Configure(EntityTypeBuilder<DailyTopicCount> b)
    {
        b.ToTable("DailyTopicCounts");
        b.HasKey(r => new { r.OrganisationId, r.Day, r.TopicKind, r.Topic, r.TeamId, r.Sentiment });
        b.Property(r => r.Topic).HasMaxLength(200);
        b.Property(r => r.Sentiment).HasMaxLength(32);
        // Emerging issues read the 28-day baselines of the day's hot topics; by the key (day first) that meant every
        // topic row of those days (~300,000 at 4.7 M messages). Covering (kind, team and count after the day): at 10 M
        // messages a day has ~150 hot topics, and looking each of their ~30,000 rows up in the table cost 70-100 ms
        // of CPU in the sqlite3 shell, against 7-14 ms from this index alone (bench/README.md, session 16).
        b.HasIndex(r => new { r.OrganisationId, r.Topic, r.Day, r.TopicKind, r.TeamId, r.Count });
        // The topic charts rank one kind's topics over a period and split them by sentiment in the same query:
        // covering (sentiment and count included), so the ranking reads only this index, one kind at a time, and never
        // the table. Without the sentiment every row was looked up in the table (2x the CPU at 10 M messages).
        b.HasIndex(r => new { r.OrganisationId, r.TopicKind, r.Day, r.Topic, r.TeamId, r.Sentiment, r.Count });
    }
}

internal sealed class WeeklyTopicCountConfiguration : IEntityTypeConfiguration<WeeklyTopicCount>
{
    public void Configure(EntityTypeBuilder<WeeklyTopicCount> b)
    {
        b.ToTable("WeeklyTopicCounts");
        b.HasKey(r => new { r.OrganisationId, r.WeekStart, r.TopicKind, r.Topic, r.TeamId, r.Sentiment });
        b.Property(r => r.Topic).HasMaxLength(200);
        b.Property(r => r.Sentiment).HasMaxLength(32);
        // The ranking of one kind over the period's whole weeks, covering as the daily one is (sentiment included).
        b.HasIndex(r => new { r.OrganisationId, r.TopicKind, r.WeekStart, r.Topic, r.TeamId, r.Sentiment, r.Count });
    }
}

internal sealed class DailyOrganisationTopicCountConfiguration : IEntityTypeConfiguration<DailyOrganisationTopicCount>
{
    public void Configure(EntityTypeBuilder<DailyOrganisationTopicCount> b)
    {
        b.ToTable("DailyOrganisationTopicCounts");
        // Day before kind, as the monthly rows: the maintainer replaces a day's rows of every kind, and the readers name
        // their days one by one (a period's edge days, the emerging-issue day), each an equality with the kind after it.
        b.HasKey(r => new { r.OrganisationId, r.Day, r.TopicKind, r.Topic });
        b.Property(r => r.Topic).HasMaxLength(200);
        OrganisationTopicColumns.CoveringIndex(b, r => new { r.OrganisationId, r.Day, r.TopicKind, r.Topic, r.Count, r.Negative, r.Neutral, r.Positive, r.Unclassified });
        // The emerging-issue baselines: a few hundred topics' 29 days, read by topic.
        b.HasIndex(r => new { r.OrganisationId, r.Topic, r.Day, r.TopicKind, r.Count });
    }
}

internal sealed class WeeklyOrganisationTopicCountConfiguration : IEntityTypeConfiguration<WeeklyOrganisationTopicCount>
{
    public void Configure(EntityTypeBuilder<WeeklyOrganisationTopicCount> b)
    {
        b.ToTable("WeeklyOrganisationTopicCounts");
        b.HasKey(r => new { r.OrganisationId, r.WeekStart, r.TopicKind, r.Topic });
        b.Property(r => r.Topic).HasMaxLength(200);
        OrganisationTopicColumns.CoveringIndex(b, r => new { r.OrganisationId, r.WeekStart, r.TopicKind, r.Topic, r.Count, r.Negative, r.Neutral, r.Positive, r.Unclassified });
    }
}

internal sealed class MonthlyOrganisationTopicCountConfiguration : IEntityTypeConfiguration<MonthlyOrganisationTopicCount>
{
    public void Configure(EntityTypeBuilder<MonthlyOrganisationTopicCount> b)
    {
        b.ToTable("MonthlyOrganisationTopicCounts");
        // Month before kind: the maintainer replaces a month's rows of every kind; a view reads one kind over a few
        // months (a key range on the month, the kind checked per row: at most a dozen months of rows).
        b.HasKey(r => new { r.OrganisationId, r.MonthStart, r.TopicKind, r.Topic });
        b.Property(r => r.Topic).HasMaxLength(200);
        OrganisationTopicColumns.CoveringIndex(b, r => new { r.OrganisationId, r.MonthStart, r.TopicKind, r.Topic, r.Count, r.Negative, r.Neutral, r.Positive, r.Unclassified });
    }
}

internal sealed class DailyResponseTimeConfiguration : IEntityTypeConfiguration<DailyResponseTime>
{
    public void Configure(EntityTypeBuilder<DailyResponseTime> b)
    {
        b.ToTable("DailyResponseTimes");
        b.HasKey(r => new { r.OrganisationId, r.Day, r.TeamId });
        b.Property(r => r.Basis).HasMaxLength(64);
    }
}

internal sealed class HourlyOpenConversationConfiguration : IEntityTypeConfiguration<HourlyOpenConversation>
{
    public void Configure(EntityTypeBuilder<HourlyOpenConversation> b)
    {
        b.ToTable("HourlyOpenConversations");
        b.HasKey(r => new { r.OrganisationId, r.HourStart, r.TeamId });
    }
}

internal sealed class AggregateDirtyHourConfiguration : IEntityTypeConfiguration<AggregateDirtyHour>
{
    public void Configure(EntityTypeBuilder<AggregateDirtyHour> b)
    {
        b.ToTable("AggregateDirtyHours");
        b.HasIndex(r => new { r.OrganisationId, r.HourStart });
    }
}

internal static class OrganisationTopicColumns
{
    /// <summary>
    /// The key's columns and the counts: a view's ranking reads a bucket's rows of one kind from the index alone. By the
    /// key only, each row was looked up in the table as well: 31 against 17 ms of CPU to read the 59,000 place rows of a
    /// year's organisation view at 10 M messages in the sqlite3 shell (bench/README.md, session 19). (SQLite's WITHOUT
    /// ROWID tables would do the same without the second copy, but EF Core cannot declare one.)
    /// </summary>
    public static void CoveringIndex<T>(EntityTypeBuilder<T> b, System.Linq.Expressions.Expression<Func<T, object?>> columns) where T : OrganisationTopicTotals =>
        b.HasIndex(columns);
}

internal static class AggregateColumns
{
    public static void Configure<T>(EntityTypeBuilder<T> b) where T : MessageCountRow
    {
        b.Property(r => r.Kind).HasMaxLength(64);
        b.Property(r => r.Category).HasMaxLength(64);
        b.Property(r => r.Sentiment).HasMaxLength(32);
        b.Property(r => r.StaffId).HasMaxLength(450);
    }

    /// <summary>
    /// The dashboard's time series sum a period's rows per bucket, channel, direction, listening and sentiment. In the
    /// key the team sits between channel and direction, so SQLite sorted every row for the GROUP BY (a temporary
    /// B-tree, ≈ 0.8 µs a row: 18 of the 22 ms of CPU a year's weekly series took at 10 M messages in the sqlite3 shell);
    /// in this order, covering (count included, the team after the grouped columns for a team's view), it sums them as
    /// it reads them (9 ms). bench/README.md, session 19.
    /// </summary>
    public static void SeriesIndex<T>(EntityTypeBuilder<T> b, System.Linq.Expressions.Expression<Func<T, object?>> columns) where T : MessageCountRow =>
        b.HasIndex(columns);
}

/// <summary>The aggregate worker and the rebuild read messages by organisation and time range.</summary>
internal sealed class MessageTimeIndexConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b) => b.HasIndex(m => new { m.OrganisationId, m.CreatedAt });
}
