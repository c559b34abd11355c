using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>Sets up a real network channel (connection row, encrypted secrets, a listening search) in the app under test.</summary>
public static class NetworkChannels
{
    public static async Task<long> AddAsync(CivicDeskFactory factory, TestOrganisation org, ChannelKind kind, string account,
        Dictionary<string, string> settings, Dictionary<string, string> secrets, string? searchName = null, string? searchTerms = null)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        if (searchName is not null && searchTerms is not null)
        {
            db.ListeningSearches.Add(new ListeningSearch { OrganisationId = org.Id, Name = searchName, Terms = searchTerms, CreatedAt = now, UpdatedAt = now });
        }

        var channel = new Channel { OrganisationId = org.Id, Kind = kind, Name = kind.ToString(), Account = account, CreatedAt = now };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        db.ChannelConnections.Add(new ChannelConnection
        {
            OrganisationId = org.Id, ChannelId = channel.Id, IsEnabled = true, UpdatedAt = now,
            SettingsJson = ConnectorContexts.WriteSettings(settings),
            ProtectedSecrets = scope.ServiceProvider.GetRequiredService<ConnectorSecrets>().Protect(secrets),
        });
        await db.SaveChangesAsync();
        factory.Services.GetRequiredService<ConnectorSignal>().Ring();
        return channel.Id;
    }

    public static async Task<List<Message>> MessagesAsync(CivicDeskFactory factory, long channelId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return await db.Messages.IgnoreQueryFilters().AsNoTracking().Where(m => m.ChannelId == channelId).OrderBy(m => m.Id).ToListAsync();
    }
}
