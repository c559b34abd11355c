using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Outbound;

/// <summary>One reply to deliver: what the connector for its channel needs, and nothing from the citizen's side.</summary>
public sealed record OutboundReply(
    long OutboundId,
    long OrganisationId,
    long ChannelId,
    ChannelKind ChannelKind,
    string? ChannelAccount,
    string Text,
    string? InReplyTo,
    string ConversationReference);

/// <summary>What a connector reports: delivered (with the network's id and URL if any), or an error staff can read.</summary>
public sealed record DeliveryResult(bool Delivered, string? ExternalId, string? ExternalUrl, string? Error)
{
    public static DeliveryResult Sent(string? externalId = null, string? externalUrl = null) => new(true, externalId, externalUrl, null);

    public static DeliveryResult Failed(string error) => new(false, null, null, error);
}

/// <summary>The boundary to a network: one implementation per kind of channel that can carry replies.</summary>
public interface IReplyDelivery
{
    IReadOnlyCollection<ChannelKind> Kinds { get; }

    Task<DeliveryResult> DeliverAsync(OutboundReply reply, CancellationToken ct);
}

/// <summary>
/// Web-form and API citizens read replies on the public status page, which shows a conversation's outbound messages
/// once their outbox row is Sent; delivering is therefore marking the row, and, for web-form reporters who asked for
/// email updates, mailing them (<see cref="Public.ReporterEmail"/>). A mail that fails is logged: the reply is still
/// on the status page, so the row is sent either way.
/// </summary>
public sealed class StatusPageDelivery(IServiceScopeFactory scopes, ILogger<StatusPageDelivery> log) : IReplyDelivery
{
    public IReadOnlyCollection<ChannelKind> Kinds { get; } = [ChannelKind.WebForm, ChannelKind.Api];

    public async Task<DeliveryResult> DeliverAsync(OutboundReply reply, CancellationToken ct)
    {
        if (reply.ChannelKind == ChannelKind.WebForm)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<Data.OrganisationContext>().Set(reply.OrganisationId);
                await scope.ServiceProvider.GetRequiredService<Public.ReporterEmail>().ReplySentAsync(reply.OutboundId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Email updates for outbound message {OutboundId} failed", reply.OutboundId);
            }
        }

        return DeliveryResult.Sent();
    }
}

/// <summary>How long a reply may be on each kind of channel (the networks' own post limits).</summary>
public static class ReplyLimits
{
    public static int MaxLength(ChannelKind kind) => kind switch
    {
        ChannelKind.Twitter => 280,
        ChannelKind.Bluesky => 300,
        ChannelKind.Mastodon => 500,
        _ => 5000,
    };
}
