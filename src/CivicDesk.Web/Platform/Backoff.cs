namespace CivicDesk.Web.Platform;

/// <summary>
/// The one exponential backoff: outbound replies, scheduled posts, webhook deliveries, connector restarts and their
/// reconnects, and feed polling all wait <c>base × 2^(attempt − 1)</c>, capped, and differ only in how they spread
/// the waits of many failing things apart (none, "equal jitter", or ± a share).
/// </summary>
public static class Backoff
{
    /// <summary><paramref name="baseDelay"/> × 2^(<paramref name="attempt"/> − 1), at most <paramref name="max"/>; attempt is 1-based (below 1 counts as 1).</summary>
    public static TimeSpan Exponential(int attempt, TimeSpan baseDelay, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(baseDelay.Ticks * factor, max.Ticks));
    }

    /// <summary>
    /// "Equal jitter": half the delay, plus up to the other half at random (<paramref name="random01"/> in [0, 1)), so
    /// things that failed together do not all come back together, and none comes back sooner than half the delay.
    /// </summary>
    public static TimeSpan EqualJitter(TimeSpan delay, double random01) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + (Math.Clamp(random01, 0, 1) / 2))));

    /// <summary>The delay scaled by a random factor in [1 − <paramref name="share"/>, 1 + <paramref name="share"/>).</summary>
    public static TimeSpan Spread(TimeSpan delay, double share, double random01) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (1 - share + (2 * share * Math.Clamp(random01, 0, 1)))));
}
