using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// RabbitMQ for surges (opt-in: set <c>RabbitMq:Uri</c>). The ingest API and the connectors then hand batches to a
/// durable queue and answer once the broker has confirmed them (persistent messages, publisher confirms); pipeline
/// consumers on every node take them with manual acknowledgements and acknowledge only after the database commit.
/// </summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    /// <summary><c>amqp://user:password@host:5672/vhost</c> (amqps for TLS). Unset: no broker, batches go straight to the pipeline.</summary>
    public string? Uri { get; set; }

    /// <summary>The durable queue batches wait in.</summary>
    [Required, StringLength(200, MinimumLength = 1)]
    public string Queue { get; set; } = "civicdesk.ingest";

    /// <summary>Batches one node works on at once (unacknowledged deliveries): more uses more cores, and more memory.</summary>
    [Range(1, 256)]
    public ushort Prefetch { get; set; } = 8;

    /// <summary>Longest wait for the broker's confirm before the caller is told to try again (nothing is then known to be queued).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Consume on this node (a node may only publish, e.g. one that serves staff pages).</summary>
    public bool Consume { get; set; } = true;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Uri);
}

/// <summary>One connection per process, opened on first use and re-established by the client's automatic recovery.</summary>
public sealed class IngestBroker(IOptions<RabbitMqOptions> options, ILogger<IngestBroker> logger) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _connect = new(1, 1);
    private IConnection? _connection;
    private IChannel? _publisher;

    public bool IsEnabled => options.Value.IsEnabled;

    public RabbitMqOptions Options => options.Value;

    /// <summary>
    /// Queues the batch and returns once the broker has confirmed it is stored (persistent, on a durable queue).
    /// Throws <see cref="IngestUnavailableException"/> when the broker cannot confirm in time: the caller answers "try
    /// again" and the batch, if it did arrive, is stored once anyway (the (channel, external id) key).
    /// </summary>
    public async Task PublishAsync(IngestBatch batch, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(batch, Json);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.ConfirmTimeout);
        try
        {
            var channel = await PublisherAsync(timeout.Token);
            var properties = new BasicProperties { Persistent = true, ContentType = "application/json", Type = "ingest-batch" };
            // With confirmation tracking on, this completes when the broker acknowledges (or throws when it refuses).
            await channel.BasicPublishAsync("", options.Value.Queue, mandatory: true, properties, body, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException && !ct.IsCancellationRequested
                                   || ex is BrokerUnreachableException or AlreadyClosedException or PublishException or OperationInterruptedException or IOException)
        {
            logger.LogWarning("RabbitMQ did not confirm a batch of {Count} for channel {ChannelId}: {ErrorType}", batch.Posts.Count, batch.ChannelId, ex.GetType().Name);
            throw new IngestUnavailableException("The message queue did not confirm the batch.", ex);
        }
    }

    internal static IngestBatch? Read(ReadOnlySpan<byte> body) => JsonSerializer.Deserialize<IngestBatch>(body, Json);

    /// <summary>The shared connection (declaring the durable queue the first time).</summary>
    internal async Task<IConnection> ConnectionAsync(CancellationToken ct)
    {
        if (_connection is { } open)
        {
            return open;
        }

        await _connect.WaitAsync(ct);
        try
        {
            if (_connection is null)
            {
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(options.Value.Uri!),
                    AutomaticRecoveryEnabled = true,
                    TopologyRecoveryEnabled = true,
                    NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
                    RequestedHeartbeat = TimeSpan.FromSeconds(15),
                    ClientProvidedName = "civicdesk@" + Environment.MachineName,
                };
                var connection = await factory.CreateConnectionAsync(ct);
                await using (var setup = await connection.CreateChannelAsync(cancellationToken: ct))
                {
                    await setup.QueueDeclareAsync(options.Value.Queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: ct);
                }

                _connection = connection;
            }

            return _connection;
        }
        finally
        {
            _connect.Release();
        }
    }

    private async Task<IChannel> PublisherAsync(CancellationToken ct)
    {
        if (_publisher is { IsOpen: true } channel)
        {
            return channel;
        }

        var connection = await ConnectionAsync(ct);
        await _connect.WaitAsync(ct);
        try
        {
            if (_publisher is not { IsOpen: true })
            {
                if (_publisher is not null)
                {
                    await _publisher.DisposeAsync();
                }

                // Tracking on: each publish awaits its own confirm, so concurrent requests share the channel safely.
                _publisher = await connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            }

            return _publisher;
        }
        finally
        {
            _connect.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connect.Dispose();
    }
}

/// <summary>
/// Takes batches from the queue into this node's pipeline: manual acknowledgement only after
/// <see cref="IngestPipeline.SubmitAsync"/> returned (it returns after the database commit). A node killed mid-batch
/// never acknowledges, so the broker hands the batch to another consumer, and the (channel, external id) key stores
/// each post once. A batch the database refuses for now is returned to the queue; one that cannot be read at all is
/// dropped with a log line (redelivering it would never succeed).
/// </summary>
public sealed class IngestBrokerConsumer(IngestBroker broker, IngestPipeline pipeline, ILogger<IngestBrokerConsumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!broker.IsEnabled || !broker.Options.Consume)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var connection = await broker.ConnectionAsync(stoppingToken);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                await channel.BasicQosAsync(0, broker.Options.Prefetch, global: false, stoppingToken);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) => HandleAsync(channel, delivery, stoppingToken);
                await channel.BasicConsumeAsync(broker.Options.Queue, autoAck: false, consumer, stoppingToken);
                logger.LogInformation("Consuming ingest batches from RabbitMQ queue {Queue}", broker.Options.Queue);
                // The client recovers the connection and this consumer after a broker restart; stay until shutdown.
                await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or IOException)
            {
                logger.LogWarning("RabbitMQ unavailable ({ErrorType}); trying again shortly", ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async Task HandleAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken ct)
    {
        IngestBatch? batch;
        try
        {
            batch = IngestBroker.Read(delivery.Body.Span);
        }
        catch (JsonException)
        {
            batch = null;
        }

        try
        {
            if (batch is null)
            {
                logger.LogError("Dropped an unreadable message {DeliveryTag} from the ingest queue", delivery.DeliveryTag);
                await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false, CancellationToken.None);
                return;
            }

            await pipeline.SubmitAsync(batch, ct);
            // Committed: only now may the broker forget it.
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
        }
        catch (ArgumentException ex)
        {
            // The pipeline refuses the batch itself (it cannot become valid by waiting): drop it, loudly.
            logger.LogError("Dropped ingest batch {DeliveryTag} for channel {ChannelId}: {Problem}", delivery.DeliveryTag, batch?.ChannelId, ex.Message);
            await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IngestUnavailableException or DbException or TimeoutException or OperationCanceledException)
        {
            // Not stored (the transaction rolled back, or we are stopping): back to the queue for any node.
            logger.LogWarning("Ingest batch {DeliveryTag} returned to the queue: {ErrorType}", delivery.DeliveryTag, ex.GetType().Name);
            await TryNackAsync(channel, delivery.DeliveryTag);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // The channel went away before the ack: the broker redelivers, and the key absorbs the duplicate.
            logger.LogWarning("Could not acknowledge ingest batch {DeliveryTag}: {ErrorType}", delivery.DeliveryTag, ex.GetType().Name);
        }
    }

    private static async Task TryNackAsync(IChannel channel, ulong tag)
    {
        try
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // Closed channel: the broker requeues every unacknowledged delivery itself.
        }
    }
}
