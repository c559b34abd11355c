using System.Diagnostics;
using CivicDesk.Triage;
using CivicDesk.Web.Features.Places;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// The prepare step, one submission at a time and safe on any number of threads at once: checks the envelope (the
/// channel belongs to the organisation), stamps the time received, checks and cleans posts that the API's request
/// reader has not already (<see cref="IngestBatch.Normalised"/>), asks the database which (channel, external id) keys
/// are already stored — those skip triage — then labels (<see cref="ITriageEngine.Label"/>: labels and scores, no
/// explanations), places (<see cref="PlaceResolver"/> answers, this step applies) and routes each new post. Every
/// result is a new value on the submission's own <see cref="StagedPost"/>s; the caches it reads (engines, gazetteers,
/// rule books) are immutable snapshots.
/// </summary>
public sealed class IngestPrepare(
    ChannelDirectory channels,
    MessageStore store,
    TriageEngines engines,
    PlaceResolver places,
    RoutingService routing,
    TimeProvider clock,
    IOptions<IngestionOptions> options,
    CivicDeskMetrics metrics,
    ILogger<IngestPrepare> logger)
{
    internal async ValueTask PrepareAsync(IngestJob job, CancellationToken ct)
    {
        var batch = job.Batch;
        var owner = await channels.OrganisationOfAsync(batch.ChannelId, ct);
        if (owner != batch.OrganisationId)
        {
            throw new ArgumentException($"Channel {batch.ChannelId} does not belong to organisation {batch.OrganisationId}.", nameof(job));
        }

        job.ReceivedAt = MessageStore.ToMicroseconds(clock.GetUtcNow().UtcDateTime);
        var posts = new InboundPost[batch.Posts.Count];
        var maxText = options.Value.MaxTextLength;
        for (var i = 0; i < posts.Length; i++)
        {
            // The API's request reader checked and cleaned its posts already; connectors and forms hand over raw ones.
            posts[i] = batch.Normalised ? batch.Posts[i] : PostNormaliser.Normalise(batch.Posts[i], i, job.ReceivedAt, maxText);
        }

        var known = await store.FindStoredAsync(batch.ChannelId, posts.Select(p => p.ExternalId), ct);
        var engine = await engines.ForAsync(batch.OrganisationId, ct);
        var gazetteer = await places.GazetteerAsync(batch.OrganisationId, ct);
        var book = await routing.GetRuleBookAsync(batch.OrganisationId, ct);
        var channelKind = new KeyValuePair<string, object?>("channel.kind", batch.ChannelKind.ToString());
        var staged = new StagedPost[posts.Length];
        for (var i = 0; i < posts.Length; i++)
        {
            var post = posts[i];
            if (known.Contains(post.ExternalId))
            {
                staged[i] = new StagedPost(post, knownBefore: true);
                continue;
            }

            var triage = Label(engine, post, batch.ChannelId, channelKind);
            if (PlaceResolver.Resolve(gazetteer, post.Text) is { } street)
            {
                (post, triage) = Apply(street, post, triage);
            }

            // A service group triage is unsure of is not routed on: only rules that do not need the category can
            // claim the message, else it waits for a person in the default team's "needs a human" queue.
            var category = triage is { NeedsHuman: true } ? null : triage?.Category.Value;
            var decision = routing.Route(book, new RoutingInput(post.Text, batch.ChannelKind, triage?.Kind.Value, category, triage?.Sentiment.Value,
                triage?.Urgency.IsUrgent ?? false, triage?.Place?.Text));
            if (triage is { NeedsHuman: true })
            {
                decision = decision with { Reason = $"needs a human ({triage.NeedsHumanReason}); {decision.Reason}" };
            }

            staged[i] = new StagedPost(post, triage, decision);
            staged[i].Row = store.RowFor(job, staged[i]);
        }

        job.Posts = staged;
    }

    private TriageResult? Label(ITriageEngine engine, InboundPost post, long channelId, KeyValuePair<string, object?> channelKind)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return engine.Label(new TriageInput(post.Text, post.Latitude, post.Longitude));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A triage bug must not lose a citizen's message: store it unlabelled for a person to look at.
            IngestLog.TriageFailed(logger, e, post.ExternalId, channelId);
            return null;
        }
        finally
        {
            metrics.TriageLatency.Record(Stopwatch.GetElapsedTime(started).TotalMicroseconds, channelKind);
        }
    }

    /// <summary>
    /// A street named in the text: its point when the payload had no geotag (a phone's fix is more precise than a
    /// street's centre), and it becomes the place unless triage found a postcode (more precise).
    /// </summary>
    private static (InboundPost, TriageResult?) Apply(ResolvedStreet street, InboundPost post, TriageResult? triage)
    {
        if (post.Latitude is null || post.Longitude is null)
        {
            post = post with { Latitude = street.Latitude, Longitude = street.Longitude };
        }

        if (triage is not null && triage.Place?.Kind is not "postcode")
        {
            triage = triage with { Place = new PlaceMention(street.Name, "gazetteer", post.Latitude, post.Longitude) };
        }

        return (post, triage);
    }
}
