using System.Threading.Channels;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>A doorbell for the publication worker (same pattern as the outbound queue's): rung after a publication commits.</summary>
public sealed class PublicationSignal(TimeProvider clock)
{
    private readonly Channel<bool> _bell = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Ring() => _bell.Writer.TryWrite(true);

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
