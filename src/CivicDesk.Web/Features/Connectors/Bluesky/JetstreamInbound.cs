using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Threading.Channels;
using CivicDesk.Web.Features.Ingestion;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>
/// Reads Jetstream over a WebSocket (docs: github.com/bluesky-social/jetstream#consuming-jetstream). A receive loop
/// parses and filters frames into a bounded channel; the commit loop takes whatever has arrived, commits the kept
/// posts with the highest time_us seen as checkpoint, and forwards edits and deletions in order. A restart asks
/// for <c>cursor</c> = checkpoint minus a rewind (Jetstream's times are not strictly ordered across its shards),
/// and the sink's (channel, external id) idempotency absorbs the replayed events.
/// </summary>
public sealed class JetstreamInbound(ConnectorContext context, BlueskySettings settings, BlueskyFilter filter, TimeProvider clock)
{
    public const int MaxFrameBytes = 1 << 20;
    private const int MaxBatch = 500;

    public static long? CheckpointTime(string? checkpoint) =>
        long.TryParse(checkpoint, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;

    public Uri SubscribeUri()
    {
        var query = new List<string> { "wantedCollections=" + BlueskyPosts.PostCollection };
        query.AddRange(settings.WatchedDids.Select(d => "wantedDids=" + Uri.EscapeDataString(d)));
        if (CheckpointTime(context.Checkpoint) is { } cursor)
        {
            query.Add("cursor=" + Math.Max(0, cursor - (long)(settings.CursorRewind.TotalMilliseconds * 1000)).ToString(CultureInfo.InvariantCulture));
        }

        var url = settings.JetstreamUrl;
        return new Uri(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', query));
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        // Through the connectors' guarded client: the Jetstream host is typed by an administrator (SSRF guard).
        await ws.ConnectAsync(SubscribeUri(), context.Http, ct);
        context.Health.Connected();
        var events = Channel.CreateBounded<JetstreamEvent>(new BoundedChannelOptions(10_000)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var receiving = ReceiveAsync(ws, events.Writer, stop.Token);
        try
        {
            await CommitAsync(events.Reader, ct);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await receiving;
            }
            catch (OperationCanceledException)
            {
                // stopped above
            }
        }
    }

    private async Task ReceiveAsync(ClientWebSocket ws, ChannelWriter<JetstreamEvent> writer, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        long lastTime = 0;
        Exception? ended = null;
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                var tooLarge = false;
                do
                {
                    var memory = buffer.GetMemory(16 * 1024);
                    result = await ws.ReceiveAsync(memory, ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                            $"Jetstream closed the connection ({ws.CloseStatus} {ws.CloseStatusDescription}).");
                    }

                    if (buffer.WrittenCount + result.Count > MaxFrameBytes)
                    {
                        tooLarge = true;
                        buffer.ResetWrittenCount();
                    }
                    else
                    {
                        buffer.Advance(result.Count);
                    }
                }
                while (!result.EndOfMessage);

                var where = string.Create(CultureInfo.InvariantCulture, $"jetstream frame after time_us {lastTime}");
                if (tooLarge)
                {
                    context.Health.Malformed(where, $"frame larger than {MaxFrameBytes} bytes");
                    continue;
                }

                if (!JetstreamParser.TryParse(buffer.WrittenSpan, filter, out var evt, out var problem))
                {
                    context.Health.Malformed(where, problem);
                    continue;
                }

                lastTime = evt!.TimeUs;
                await writer.WriteAsync(evt, ct);
            }
        }
        catch (Exception ex)
        {
            ended = ex;
            throw;
        }
        finally
        {
            writer.TryComplete(ended);
        }
    }

    private async Task CommitAsync(ChannelReader<JetstreamEvent> reader, CancellationToken ct)
    {
        var sink = context.Sink;
        var posts = new List<InboundPost>();
        var committed = CheckpointTime(context.Checkpoint) ?? 0;
        var highest = committed;
        var lastSave = clock.GetTimestamp();
        var streamBroke = false;
        try
        {
            while (await WaitAsync(reader, () => streamBroke = true, ct))
            {
                for (var n = 0; n < MaxBatch && reader.TryRead(out var e); n++)
                {
                    context.Health.EventReceived(e.Time);
                    highest = Math.Max(highest, e.TimeUs);
                    if (e.Kind != JetstreamKind.Commit || !e.IsPost)
                    {
                        continue; // identity and account events, other collections (a Jetstream without wantedCollections)
                    }

                    switch (e.Operation)
                    {
                        case CommitOperation.Create when e.Post is not null:
                            posts.Add(BlueskyPosts.ToInbound(e.Did, e.RecordKey!, e.Post, e.Time) with { IsDirect = filter.IsDirect(e.Post) });
                            break;
                        case CommitOperation.Update when e.Post is not null:
                            await FlushAsync(posts, null, ct);
                            await sink.EditAsync(e.Uri, e.Post.Text ?? "", e.Time, ct);
                            break;
                        case CommitOperation.Delete:
                            await FlushAsync(posts, null, ct);
                            await sink.DeleteAsync(e.Uri, e.Time, ct);
                            break;
                        default:
                            break;
                    }
                }

                var checkpoint = highest.ToString(CultureInfo.InvariantCulture);
                if (posts.Count > 0)
                {
                    await FlushAsync(posts, checkpoint, ct);
                    committed = highest;
                    lastSave = clock.GetTimestamp();
                }
                else if (highest > committed && clock.GetElapsedTime(lastSave) >= settings.CheckpointInterval)
                {
                    // Filtered-out stretches still move the cursor, at most once per CheckpointInterval (a second by default).
                    await sink.SaveCheckpointAsync(checkpoint, ct);
                    committed = highest;
                    lastSave = clock.GetTimestamp();
                }
            }
        }
        finally
        {
            if (streamBroke && posts.Count == 0 && highest > committed && !ct.IsCancellationRequested)
            {
                // The stream broke after everything read was handled: keep the progress over filtered-out events so
                // the restart does not re-read them. (A sink failure saves nothing: its batch must be read again.)
                await sink.SaveCheckpointAsync(highest.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
            }
        }
    }

    private static async ValueTask<bool> WaitAsync(ChannelReader<JetstreamEvent> reader, Action broke, CancellationToken ct)
    {
        try
        {
            return await reader.WaitToReadAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            broke();
            throw;
        }
    }

    private async Task FlushAsync(List<InboundPost> posts, string? checkpoint, CancellationToken ct)
    {
        if (posts.Count == 0)
        {
            return;
        }

        await context.Sink.CommitAsync(posts.ToArray(), checkpoint, ct);
        posts.Clear();
    }
}
