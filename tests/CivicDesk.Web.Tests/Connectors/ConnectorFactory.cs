using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>The app with the <see cref="FakeConnector"/> registered and short restart delays.</summary>
public sealed class ConnectorFactory : CivicDeskFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Connectors:RestartBaseDelay", "00:00:00.020"),
        new("Connectors:RestartMaxDelay", "00:00:00.100"),
        new("Connectors:ReconcileInterval", "00:00:00.250"),
    ];

    public FakeConnector Fake => Services.GetRequiredService<FakeConnector>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddConnector<FakeConnector>());
    }

    /// <summary>A channel of the fake kind with a connection (token set), enabled or not.</summary>
    public async Task<long> AddFakeChannelAsync(TestOrganisation org, bool enabled, string? account = "@council.example", FakeStream? stream = null)
    {
        await using var scope = ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var secrets = scope.ServiceProvider.GetRequiredService<ConnectorSecrets>();
        var now = DateTime.UtcNow;
        var channel = new Channel { OrganisationId = org.Id, Kind = FakeConnector.FakeKind, Name = "Fake network", Account = account, CreatedAt = now };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        if (stream is not null)
        {
            Fake.Streams[channel.Id] = stream;
        }

        db.ChannelConnections.Add(new ChannelConnection
        {
            OrganisationId = org.Id, ChannelId = channel.Id, IsEnabled = enabled, UpdatedAt = now,
            ProtectedSecrets = secrets.Protect(new Dictionary<string, string> { ["token"] = "test-token" }),
        });
        await db.SaveChangesAsync();
        Services.GetRequiredService<ConnectorSignal>().Ring();
        return channel.Id;
    }

    public async Task<string?> CheckpointAsync(long channelId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return await db.ConnectorCheckpoints.IgnoreQueryFilters().Where(c => c.ChannelId == channelId).Select(c => c.Value).FirstOrDefaultAsync();
    }

    public async Task<List<string>> StoredExternalIdsAsync(long channelId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return await db.Messages.IgnoreQueryFilters().Where(m => m.ChannelId == channelId).OrderBy(m => m.Id).Select(m => m.ExternalId).ToListAsync();
    }
}

public static class Eventually
{
    /// <summary>Waits for a condition the app reaches asynchronously (checked every 20 ms, failing after 30 s); not a timing assumption.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what) => TrueAsync(() => Task.FromResult(condition()), what);
}
