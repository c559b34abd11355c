using System.Runtime.CompilerServices;
using System.Text;

namespace CivicDesk.Web.Features.Connectors.Mastodon;

/// <summary>One dispatched server-sent event: the <c>event:</c> name ("message" when absent), the joined <c>data:</c> lines, and the id in force when it was dispatched.</summary>
public sealed record ServerSentEvent(string Event, string Data, string? Id);

/// <summary>
/// Reads a <c>text/event-stream</c> as the WHATWG HTML standard (§9.2 "Server-sent events") says: lines end in LF,
/// CRLF or CR; a line starting with ':' is a comment (Mastodon's <c>:thump</c> heartbeat); <c>field: value</c> loses
/// one space after the colon; <c>data</c> lines join with LF; a blank line dispatches; an <c>id</c> persists to
/// later events until replaced; an event cut off by the end of the stream is dropped, never half-delivered.
/// </summary>
public sealed class ServerSentEventReader(TextReader reader)
{
    /// <summary>The last <c>id:</c> the server sent: what a reconnect sends as <c>Last-Event-ID</c>.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Called for every line read, heartbeats included (a stall watchdog resets on it).</summary>
    public Action? LineRead { get; init; }

    public async IAsyncEnumerable<ServerSentEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? eventName = null;
        var idBuffer = LastEventId;
        var data = new StringBuilder();
        var hasData = false;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            LineRead?.Invoke();
            if (line.Length == 0)
            {
                // The id becomes "last" only when its event is complete, so a reconnect after a cut-off event asks for it again.
                LastEventId = idBuffer;
                if (hasData)
                {
                    yield return new ServerSentEvent(eventName ?? "message", data.ToString(), LastEventId);
                }

                eventName = null;
                data.Clear();
                hasData = false;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.Length > 0 && value[0] == ' ')
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    eventName = value;
                    break;
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                case "id":
                    // The standard ignores ids containing NUL.
                    if (!value.Contains('\0', StringComparison.Ordinal))
                    {
                        idBuffer = value;
                    }

                    break;
                default:
                    // "retry" and unknown fields: the reconnect delay is ours to choose (backoff with jitter).
                    break;
            }
        }
    }
}
