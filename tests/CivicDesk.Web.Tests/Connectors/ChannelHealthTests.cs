using System.Diagnostics.Metrics;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivicDesk.Web.Tests.Connectors;

public sealed class ChannelHealthTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Events_per_minute_slide_lag_follows_the_network_time_and_malformed_payloads_are_counted()
    {
        var start = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(start);
        var board = new ConnectorHealthBoard(clock, NullLogger<ChannelHealth>.Instance);
        var health = board.For(7, ChannelKind.Mastodon);

        health.Connected();
        health.EventReceived(start.UtcDateTime.AddSeconds(-5));
        clock.Now = start.AddSeconds(30);
        health.EventReceived(start.UtcDateTime.AddSeconds(20));
        health.Malformed("status 42", "missing content");
        clock.Now = start.AddSeconds(75);

        var view = health.View();
        view.Connected.ShouldBeTrue();
        view.EventsPerMinute.ShouldBe(1);          // the first event is more than a minute old now
        view.Lag.ShouldBe(TimeSpan.FromSeconds(55)); // now (10:01:15) − network time of the newest event (10:00:20)
        view.Malformed.ShouldBe(1);
        view.LastEventAt.ShouldBe(start.UtcDateTime.AddSeconds(30));

        health.Disconnected("stream closed");
        health.View().Connected.ShouldBeFalse();
        health.View().LastError.ShouldBe("stream closed");
    }

    [Fact]
    public void Metrics_count_events_tagged_by_channel_kind()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var board = new ConnectorHealthBoard(clock, NullLogger<ChannelHealth>.Instance);
        using var meters = new TestMeterFactory();
        _ = new ConnectorMetrics(meters, board);
        var seen = new List<(string Name, long Value, object? Channel)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (meters.Meters.Contains(i.Meter))
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Add((i.Name, v, tags.ToArray().FirstOrDefault(t => t.Key == "channel").Value)));
        listener.Start();

        board.For(1, ChannelKind.Bluesky).EventReceived(DateTime.UtcNow);
        board.For(1, ChannelKind.Bluesky).Malformed("frame 9", "bad CBOR");
        listener.RecordObservableInstruments();

        seen.ShouldContain(("civicdesk.connector.events", 1L, "Bluesky"));
        seen.ShouldContain(("civicdesk.connector.malformed", 1L, "Bluesky"));
        seen.ShouldContain(("civicdesk.connector.events_per_minute", 1L, "Bluesky"));
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var m in Meters)
            {
                m.Dispose();
            }
        }
    }
}
