using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// Builds the <see cref="ConnectorContext"/> for a channel from its connection row: settings, decrypted secrets,
/// the last committed checkpoint, a sink over the ingest pipeline and the channel's health. System work: it reads
/// across organisations with explicit filters.
/// </summary>
public sealed class ConnectorContexts(
    IServiceScopeFactory scopes,
    ConnectorSecrets secrets,
    ConnectorHealthBoard board,
    IngestPipeline pipeline,
    ListeningFilter filter,
    IHttpClientFactory http,
    TimeProvider clock,
    IOptions<ConnectorOptions> options,
    IConnectorLeadership leadership,
    IngestBroker broker,
    ILogger<ConnectorSink> sinkLogger)
{
    public const string HttpClientName = "connectors";

    /// <summary>The context for the channel, or null when the channel or its connection does not exist.</summary>
    public async Task<ConnectorContext?> CreateAsync(long channelId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var channel = await db.Channels.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == channelId, ct);
        if (channel is null)
        {
            return null;
        }

        var connection = await db.ChannelConnections.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(c => c.ChannelId == channelId && c.OrganisationId == channel.OrganisationId, ct);
        if (connection is null)
        {
            return null;
        }

        var checkpoint = await db.ConnectorCheckpoints.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.ChannelId == channelId && c.OrganisationId == channel.OrganisationId)
            .Select(c => c.Value).FirstOrDefaultAsync(ct);
        var health = board.For(channel.Id, channel.Kind);
        var sink = new ConnectorSink(channel.OrganisationId, channel.Id, channel.Kind, scopes, pipeline, filter, clock, options.Value, sinkLogger)
        {
            Leadership = leadership.IsClustered ? leadership : null,
            Broker = broker.IsEnabled ? broker : null,
        };
        return new ConnectorContext(channel, ReadSettings(connection.SettingsJson), secrets.Unprotect(connection.ProtectedSecrets),
            checkpoint, sink, health, http.CreateClient(HttpClientName));
    }

    public async Task<bool> IsEnabledAsync(long channelId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return await db.ChannelConnections.IgnoreQueryFilters().AnyAsync(c => c.ChannelId == channelId && c.IsEnabled, ct);
    }

    public static IReadOnlyDictionary<string, string> ReadSettings(string? json) =>
        string.IsNullOrWhiteSpace(json)
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new Dictionary<string, string>(StringComparer.Ordinal);

    public static string WriteSettings(IReadOnlyDictionary<string, string> settings) => JsonSerializer.Serialize(settings);
}
