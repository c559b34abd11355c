using System.Threading.Channels;

namespace CivicDesk.Web.Features.Outbound;

/// <summary>
/// A doorbell: the reply handler rings it after its transaction commits, so the worker delivers at once instead of
/// waiting for its sweep. Capacity one and drop-on-full: many rings before the worker wakes mean one pass.
/// </summary>
public sealed class OutboundSignal(TimeProvider clock)
{
    private readonly Channel<bool> _bell = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Ring() => _bell.Writer.TryWrite(true);

    /// <summary>Returns when rung or when <paramref name="timeout"/> has passed, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await _bell.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The timeout: time for the periodic sweep.
        }
    }
}
