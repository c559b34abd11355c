using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// Sends replies on network channels: resolves the channel's connector and context, and calls
/// <see cref="ISocialConnector.ReplyAsync"/>. The dispatcher stores the returned id and URL on the outbox row.
/// </summary>
public sealed class ConnectorReplyDelivery(ConnectorRegistry registry, ConnectorContexts contexts) : IReplyDelivery
{
    // Web-form and API replies are read on the status page (StatusPageDelivery), never through a connector.
    public IReadOnlyCollection<ChannelKind> Kinds { get; } =
        registry.Kinds.Where(k => k is not ChannelKind.WebForm and not ChannelKind.Api).ToList();

    public async Task<DeliveryResult> DeliverAsync(OutboundReply reply, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (registry.Find(reply.ChannelKind) is not { } connector)
        {
            return DeliveryResult.Failed($"no connector for {reply.ChannelKind}");
        }

        var context = await contexts.CreateAsync(reply.ChannelId, ct);
        if (context is null)
        {
            return DeliveryResult.Failed("the channel is not connected: an administrator must configure it under Connectors");
        }

        return await connector.ReplyAsync(context, reply, ct);
    }
}
