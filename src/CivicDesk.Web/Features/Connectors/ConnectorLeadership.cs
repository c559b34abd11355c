using Dapper;
using Npgsql;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// Which node runs a channel's connector. With several web processes on one PostgreSQL database a connector must
/// run exactly once in the cluster (two would double the network's rate limits and race on the checkpoint); on
/// SQLite there is one node, which always leads.
/// </summary>
public interface IConnectorLeadership
{
    /// <summary>True when several nodes may share the database, so other nodes may lead some channels.</summary>
    bool IsClustered { get; }

    /// <summary>Becomes the channel's leader if no other node is; true when this node leads it now.</summary>
    Task<bool> TryLeadAsync(long channelId, CancellationToken ct);

    /// <summary>Gives the channel up (it was disabled or changed), so any node may take it.</summary>
    Task ResignAsync(long channelId, CancellationToken ct);

    /// <summary>
    /// False when this node may have lost every channel it led (its lock session died): the host must stop them all
    /// at once. Cheap on SQLite; a round trip on the lock connection on PostgreSQL.
    /// </summary>
    Task<bool> IsAliveAsync(CancellationToken ct);

    /// <summary>
    /// Stores the channel's checkpoint only while this node still leads it, so a node that lost the lead (it
    /// stalled, its lock session died and another node took over) can never move the checkpoint back.
    /// Throws <see cref="ConnectorLeadershipLostException"/> when it does not lead the channel any more.
    /// </summary>
    Task SaveCheckpointAsync(long organisationId, long channelId, string value, DateTime at, CancellationToken ct);
}

/// <summary>The node no longer leads the channel; its connector run must end (another node carries on from the checkpoint).</summary>
public sealed class ConnectorLeadershipLostException(long channelId)
    : Exception($"This node no longer leads channel {channelId}; another node runs its connector.")
{
    public long ChannelId { get; } = channelId;
}

/// <summary>SQLite: one process owns the database file, so it leads every channel; checkpoints are written by the sink as before.</summary>
public sealed class SingleNodeLeadership : IConnectorLeadership
{
    public bool IsClustered => false;

    public Task<bool> TryLeadAsync(long channelId, CancellationToken ct) => Task.FromResult(true);

    public Task ResignAsync(long channelId, CancellationToken ct) => Task.CompletedTask;

    public Task<bool> IsAliveAsync(CancellationToken ct) => Task.FromResult(true);

    public Task SaveCheckpointAsync(long organisationId, long channelId, string value, DateTime at, CancellationToken ct) =>
        throw new NotSupportedException("On a single node the sink stores checkpoints itself.");
}

/// <summary>
/// PostgreSQL: one session-level advisory lock per channel, <c>pg_try_advisory_lock(space, channel)</c>, all held on
/// one dedicated, unpooled connection. When the node dies its session ends and PostgreSQL frees every lock at once
/// (at once for a killed process, whose socket the kernel closes; within the server's TCP keepalive for a machine
/// that vanished, see docs/deployment.md), and another node's next try wins. Checkpoints are written on the same
/// connection: a write succeeds only while the session, and so the lock, is alive, and a session that ends mid-write
/// rolls the write back before its locks are freed, so the next leader always reads the last committed checkpoint.
/// </summary>
public sealed class PostgresConnectorLeadership(string connectionString, ILogger<PostgresConnectorLeadership> logger)
    : IConnectorLeadership, IAsyncDisposable
{
    /// <summary>The first key of the two-key advisory lock: "CDCN" in ASCII, so other users of advisory locks do not collide.</summary>
    public const int LockSpace = 0x4344434E;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<long> _led = [];
    private NpgsqlConnection? _connection;

    public bool IsClustered => true;

    /// <summary>The channels this node leads now.</summary>
    public IReadOnlyCollection<long> Led
    {
        get { lock (_led) { return [.. _led]; } }
    }

    public async Task<bool> TryLeadAsync(long channelId, CancellationToken ct)
    {
        var key = Key(channelId);
        await _gate.WaitAsync(ct);
        try
        {
            if (Leads(channelId))
            {
                return true;
            }

            var connection = await ConnectionAsync(ct);
            var won = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_lock(@space, @key)", new { space = LockSpace, key }, cancellationToken: ct));
            if (won)
            {
                lock (_led)
                {
                    _led.Add(channelId);
                }
            }

            return won;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await DropConnectionAsync(ex);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ResignAsync(long channelId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (!Forget(channelId) || _connection is null)
            {
                return;
            }

            await _connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_unlock(@space, @key)", new { space = LockSpace, key = Key(channelId) }, cancellationToken: ct));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await DropConnectionAsync(ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> IsAliveAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_connection is null)
            {
                return Led.Count == 0;
            }

            await _connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await DropConnectionAsync(ex);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SaveCheckpointAsync(long organisationId, long channelId, string value, DateTime at, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (!Leads(channelId) || _connection is null)
            {
                throw new ConnectorLeadershipLostException(channelId);
            }

            await _connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO "ConnectorCheckpoints" ("ChannelId", "OrganisationId", "Value", "UpdatedAt")
                VALUES (@channelId, @organisationId, @value, @at)
                ON CONFLICT ("ChannelId") DO UPDATE SET "Value" = excluded."Value", "UpdatedAt" = excluded."UpdatedAt"
                """,
                new { channelId, organisationId, value, at = DateTime.SpecifyKind(at, DateTimeKind.Utc) }, cancellationToken: ct));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Whether the write landed is unknown only if the session died, and then the lock went with it.
            await DropConnectionAsync(ex);
            throw new ConnectorLeadershipLostException(channelId);
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool Leads(long channelId)
    {
        lock (_led)
        {
            return _led.Contains(channelId);
        }
    }

    private bool Forget(long channelId)
    {
        lock (_led)
        {
            return _led.Remove(channelId);
        }
    }

    private static int Key(long channelId) => channelId is > 0 and <= int.MaxValue
        ? (int)channelId
        : throw new ArgumentOutOfRangeException(nameof(channelId), channelId, "Channel ids beyond 2^31 need a wider lock key.");

    private async Task<NpgsqlConnection> ConnectionAsync(CancellationToken ct)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // A pooled connection would outlive Close() with its session, and its locks, still open.
            Pooling = false,
            // Notice a dead server or network within seconds rather than the kernel's two hours.
            KeepAlive = 10,
            // Names the node in pg_stat_activity, so an operator (and the failover test) can see who leads what.
            ApplicationName = FormattableString.Invariant($"civicdesk-leader@{Environment.MachineName}:{Environment.ProcessId}"),
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        _connection = connection;
        return connection;
    }

    private async Task DropConnectionAsync(Exception why)
    {
        int lost;
        lock (_led)
        {
            lost = _led.Count;
            _led.Clear();
        }

        logger.LogWarning("Connector leadership connection failed ({ErrorType}); gave up {Channels} channel(s)", why.GetType().Name, lost);
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            // Closing the session frees every lock at once: the other nodes take over on their next try.
            await _connection.DisposeAsync();
            _connection = null;
        }

        _gate.Dispose();
    }
}
