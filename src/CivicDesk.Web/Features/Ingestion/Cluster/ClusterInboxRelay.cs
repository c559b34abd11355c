using System.Globalization;
using System.Threading.Channels;
using CivicDesk.Web.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// Carries "the inbox changed" between nodes on PostgreSQL: each local <see cref="InboxNotifications.Publish"/> becomes
/// a <c>NOTIFY civicdesk_inbox, '&lt;node&gt;:&lt;organisation&gt;'</c>, and every node LISTENs on a dedicated connection and
/// applies the other nodes' changes to its own <see cref="InboxNotifications"/>, which wakes its staff's pages. After
/// the listening connection breaks, every inbox is marked changed (a notification may have been missed) and it
/// reconnects. On SQLite (one node) it does nothing.
/// </summary>
public sealed class ClusterInboxRelay(
    InboxNotifications inbox,
    IOptions<DatabaseOptions> database,
    ILogger<ClusterInboxRelay> logger) : BackgroundService
{
    public const string ChannelName = "civicdesk_inbox";

    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);
    private readonly string _node = Guid.NewGuid().ToString("N")[..12];
    private readonly Channel<long> _outgoing = Channel.CreateBounded<long>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>How many changes from other nodes this node applied (tests and the admin's curiosity).</summary>
    public long Received => Interlocked.Read(ref _received);

    private long _received;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Value is not { Provider: DatabaseProvider.Postgres, ConnectionString: { } cs })
        {
            return;
        }

        // A dropped change only costs a page its early refresh (pages also poll), never data: dropping is safe.
        inbox.Relay = organisationId => _outgoing.Writer.TryWrite(organisationId);
        try
        {
            await Task.WhenAll(SendAsync(cs, stoppingToken), ListenAsync(cs, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            inbox.Relay = null;
        }
    }

    private async Task SendAsync(string connectionString, CancellationToken ct)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        while (await _outgoing.Reader.WaitToReadAsync(ct))
        {
            // Coalesce a burst (an ingest surge commits many batches a second) into one notification per organisation.
            var organisations = new HashSet<long>();
            while (_outgoing.Reader.TryRead(out var id))
            {
                organisations.Add(id);
            }

            try
            {
                await using var command = source.CreateCommand();
                command.CommandText = string.Join(';', organisations.Select((_, i) => $"SELECT pg_notify('{ChannelName}', @p{i})"));
                var i = 0;
                foreach (var organisationId in organisations)
                {
                    command.Parameters.AddWithValue($"p{i++}", _node + ":" + organisationId.ToString(CultureInfo.InvariantCulture));
                }

                await command.ExecuteNonQueryAsync(ct);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Could not tell the other nodes about {Count} inbox change(s): {ErrorType}", organisations.Count, ex.GetType().Name);
            }
        }
    }

    private async Task ListenAsync(string connectionString, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 10, ApplicationName = "civicdesk-inbox-relay" };
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                connection.Notification += (_, e) => Receive(e.Payload);
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                if (!first)
                {
                    inbox.ApplyAll();   // what happened while we were away is unknown: every page refreshes once
                }

                first = false;
                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
            {
                logger.LogWarning("Inbox change feed from other nodes interrupted ({ErrorType}); reconnecting", ex.GetType().Name);
                first = false;
                await Task.Delay(ReconnectDelay, ct);
            }
        }
    }

    private void Receive(string payload)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || payload.AsSpan(0, colon).SequenceEqual(_node)
            || !long.TryParse(payload.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var organisationId))
        {
            return;   // our own change (already applied) or not ours to read
        }

        Interlocked.Increment(ref _received);
        inbox.Apply(organisationId);
    }
}
