using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// The organisation's topic rows of a day or week (<see cref="DailyOrganisationTopicCount"/>,
/// <see cref="WeeklyOrganisationTopicCount"/>): the team rows of the same bucket summed over teams, with the sentiments
/// as columns. Computed in memory from the team rows the maintainer has just computed for that day or week, and written
/// beside them (each bucket's rows replaced whole, as the team rows are), so they cannot drift from them.
/// </summary>
internal static class OrganisationTopics
{
    public static List<T> Sum<TRow, T>(IEnumerable<TRow> rows, Func<TRow, (TopicKind Kind, string Topic, string Sentiment, int Count)> parts,
        Func<TopicKind, string, T> create)
        where T : OrganisationTopicTotals
    {
        var totals = new Dictionary<(TopicKind, string), T>();
        foreach (var row in rows)
        {
            var (kind, topic, sentiment, count) = parts(row);
            if (!totals.TryGetValue((kind, topic), out var total))
            {
                totals[(kind, topic)] = total = create(kind, topic);
            }

            total.Add(sentiment, count);
        }

        // A topic with no message has no row, as in the monthly rows.
        return [.. totals.Values.Where(t => t.Count != 0)];
    }
}
