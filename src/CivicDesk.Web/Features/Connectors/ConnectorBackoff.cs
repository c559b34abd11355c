using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// Exponential backoff with "equal jitter" (half fixed, half random; AWS Architecture Blog, "Exponential Backoff
/// And Jitter", 2015): 1 s, 2 s, 4 s … capped at 5 minutes, so a server coming back is not hit by every client at
/// once. Reset after a connection delivers. Used by the streaming connectors (Mastodon, X) between reconnects inside one
/// run; the host's own restart backoff (<see cref="ConnectorHost.Backoff"/>) covers a run that throws. Waits go through <see cref="TimeProvider"/>, so tests do not sleep.
/// </summary>
public sealed class ConnectorBackoff(TimeProvider time, TimeSpan? initial = null, TimeSpan? maximum = null)
{
    private readonly TimeSpan _initial = initial ?? TimeSpan.FromSeconds(1);
    private readonly TimeSpan _maximum = maximum ?? TimeSpan.FromMinutes(5);
    private int _failures;

    public TimeSpan NextDelay()
    {
        _failures++;
        return Backoff.EqualJitter(Backoff.Exponential(_failures, _initial, _maximum), Random.Shared.NextDouble());
    }

    public void Reset() => _failures = 0;

    public Task WaitAsync(CancellationToken ct) => Task.Delay(NextDelay(), time, ct);

    /// <summary>Waits until <paramref name="reset"/> (a rate limit's end); at least a second, so a clock skew cannot spin.</summary>
    public Task WaitUntilAsync(DateTimeOffset reset, CancellationToken ct)
    {
        var wait = reset - time.GetUtcNow();
        return Task.Delay(wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait, time, ct);
    }
}
