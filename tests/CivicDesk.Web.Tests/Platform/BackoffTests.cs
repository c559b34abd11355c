using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Tests.Platform;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(4, 80)]
    [InlineData(7, 600)] // 640 s capped at 10 minutes
    [InlineData(0, 10)] // below 1 counts as the first attempt
    [InlineData(500, 600)] // no overflow however many attempts
    public void Exponential_doubles_from_the_base_and_stops_at_the_cap(int attempt, int seconds) =>
        Backoff.Exponential(attempt, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10)).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData(0.0, 50)]
    [InlineData(0.5, 75)]
    [InlineData(0.999, 99.95)]
    [InlineData(7.0, 100)] // out-of-range randomness is clamped
    public void Equal_jitter_keeps_at_least_half(double random, double expectedSeconds) =>
        Backoff.EqualJitter(TimeSpan.FromSeconds(100), random).TotalSeconds.ShouldBe(expectedSeconds, tolerance: 0.001);

    [Theory]
    [InlineData(0.0, 80)]
    [InlineData(0.5, 100)]
    [InlineData(1.0, 120)]
    public void Spread_scales_by_plus_or_minus_the_share(double random, double expectedSeconds) =>
        Backoff.Spread(TimeSpan.FromSeconds(100), 0.2, random).TotalSeconds.ShouldBe(expectedSeconds, tolerance: 0.001);
}
