using CivicDesk.Web.Features.Dashboards;
using CsCheck;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// The aggregate worker waits in proportion to its last pass, so during a surge (when each pass re-reads the growing
/// current hour) it takes a bounded share of the machine instead of running back to back.
/// </summary>
public sealed class AggregatePacingTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(0.0, 25, 10.0)]   // nothing to do: the next pass one interval after this one began
    [InlineData(2.0, 25, 8.0)]    // a quick pass: the interval's remainder
    [InlineData(2.5, 25, 7.5)]    // exactly at the share
    [InlineData(6.0, 25, 18.0)]   // a surge: three times the pass at 25 %
    [InlineData(6.0, 50, 6.0)]
    [InlineData(12.0, 100, 0.0)]  // no bound asked for: straight on, as a fixed timer running late did
    [InlineData(30.0, 10, 270.0)]
    public void The_wait_after_a_pass_keeps_passes_to_the_busy_share_and_never_sooner_than_the_interval(double busySeconds, int percent, double expectedSeconds)
    {
        var wait = AggregateWorker.NextWait(TimeSpan.FromSeconds(busySeconds), Interval, percent);

        wait.TotalSeconds.ShouldBe(expectedSeconds, 1e-9);
    }

    [Fact]
    public void For_any_pass_the_share_of_time_busy_is_at_most_the_limit_and_passes_start_an_interval_apart_at_least()
    {
        Gen.Select(Gen.Double[0, 3600], Gen.Int[1, 100], Gen.Double[1, 3600]).Sample((busy, percent, interval) =>
        {
            var b = TimeSpan.FromSeconds(busy);
            var i = TimeSpan.FromSeconds(interval);
            var wait = AggregateWorker.NextWait(b, i, percent);
            var cycle = b + wait;
            return wait >= TimeSpan.Zero
                && cycle >= i - TimeSpan.FromTicks(1)
                && (cycle == TimeSpan.Zero || b / cycle <= (percent / 100.0) + 1e-6);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void A_share_outside_1_to_100_percent_is_refused(int percent) =>
        Should.Throw<ArgumentOutOfRangeException>(() => AggregateWorker.NextWait(TimeSpan.FromSeconds(1), Interval, percent));
}
