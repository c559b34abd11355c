using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>The host runs connectors, moves checkpoints only after commit, and restarts failures with backoff.</summary>
public sealed class ConnectorHostTests(ConnectorFactory factory) : IClassFixture<ConnectorFactory>
{
    private static List<InboundPost> Posts(string prefix, int count, int? failAt = null) =>
        Enumerable.Range(0, count).Select(i => new InboundPost($"{prefix}-{i}", i == failAt ? $"FAIL-DB post {i} about the bins" : $"post {i} about the bins",
            $"@citizen{i}.example", CreatedAt: DateTime.UtcNow, IsDirect: true)).ToList();

    [Fact]
    public async Task Checkpoint_moves_only_after_commit_and_a_restart_resumes_without_loss_or_duplicates()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var prefix = "ck" + Guid.NewGuid().ToString("N")[..6];
        await InjectFailureAsync(install: true);
        try
        {
            var stream = new FakeStream { Posts = Posts(prefix, 10, failAt: 4), BatchSize = 3 };
            var channelId = await factory.AddFakeChannelAsync(org, enabled: true, stream: stream);
            var health = factory.Services.GetRequiredService<ConnectorHealthBoard>();

            // Batch 0-2 commits; batch 3-5 fails in the database (post 4): the whole batch is rolled back.
            await Eventually.TrueAsync(() => health.Find(channelId)?.Restarts >= 1, "the injected database failure");
            (await factory.CheckpointAsync(channelId)).ShouldBe("3");
            (await factory.StoredExternalIdsAsync(channelId)).ShouldBe([$"{prefix}-0", $"{prefix}-1", $"{prefix}-2"]);
            health.Find(channelId)!.LastError.ShouldNotBeNull();
        }
        finally
        {
            await InjectFailureAsync(install: false);
        }

        var channel = factory.Fake.Streams.Single(s => s.Value.Posts[0].ExternalId.StartsWith(prefix, StringComparison.Ordinal));
        await channel.Value.Drained.Task.WaitAsync(TimeSpan.FromSeconds(30));
        (await factory.CheckpointAsync(channel.Key)).ShouldBe("10");
        (await factory.StoredExternalIdsAsync(channel.Key)).ShouldBe(Enumerable.Range(0, 10).Select(i => $"{prefix}-{i}"));
        // Every restart resumed at the last committed checkpoint, never past it.
        channel.Value.Starts.First().ShouldBeNull();
        channel.Value.Starts.Skip(1).ShouldAllBe(c => c == "3");
    }

    [Fact]
    public async Task A_batch_committed_but_not_checkpointed_is_read_again_and_not_stored_twice()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var prefix = "re" + Guid.NewGuid().ToString("N")[..6];
        var channelId = await factory.AddFakeChannelAsync(org, enabled: false);
        await using var scope = factory.ScopeFor(org.Id);
        var context = (await factory.Services.GetRequiredService<ConnectorContexts>().CreateAsync(channelId, CancellationToken.None))!;
        // On PostgreSQL only the channel's leader may move its checkpoint; the host leaves a disabled channel unled.
        (await factory.Services.GetRequiredService<IConnectorLeadership>().TryLeadAsync(channelId, CancellationToken.None)).ShouldBeTrue();

        var first = await context.Sink.CommitAsync(Posts(prefix, 3), checkpoint: null, CancellationToken.None);   // the crash: no checkpoint
        var again = await context.Sink.CommitAsync(Posts(prefix, 3), checkpoint: "3", CancellationToken.None);

        first.Accepted.ShouldBe(3);
        again.Accepted.ShouldBe(0);
        again.AlreadyKnown.ShouldBe(3);
        (await factory.StoredExternalIdsAsync(channelId)).Count.ShouldBe(3);
        (await factory.CheckpointAsync(channelId)).ShouldBe("3");
    }

    [Fact]
    public async Task A_connector_that_throws_is_restarted_with_backoff_and_its_error_is_recorded()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var prefix = "th" + Guid.NewGuid().ToString("N")[..6];
        var stream = new FakeStream { Posts = Posts(prefix, 2), ThrowOnFirstRuns = 2 };
        var channelId = await factory.AddFakeChannelAsync(org, enabled: true, stream: stream);

        await stream.Drained.Task.WaitAsync(TimeSpan.FromSeconds(30));

        stream.Runs.ShouldBe(3);
        var health = factory.Services.GetRequiredService<ConnectorHealthBoard>().Find(channelId)!;
        health.Restarts.ShouldBe(2);
        health.LastError!.ShouldContain("the fake network refused the connection");
        health.IsConnected.ShouldBeTrue();
        (await factory.StoredExternalIdsAsync(channelId)).Count.ShouldBe(2);
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = factory.ScopeFor(org.Id);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            return await db.ChannelConnections.Where(c => c.ChannelId == channelId).Select(c => c.LastError).SingleAsync() is { } e
                && e.Contains("refused", StringComparison.Ordinal);
        }, "the last error persisted");
    }

    [Fact]
    public async Task A_disabled_connection_is_not_run_and_enabling_it_starts_the_connector()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var stream = new FakeStream { Posts = Posts("en" + Guid.NewGuid().ToString("N")[..6], 1) };
        var channelId = await factory.AddFakeChannelAsync(org, enabled: false, stream: stream);
        // A second, enabled channel created after it: once that one has run, a reconcile pass has seen both.
        var sentinel = new FakeStream { Posts = Posts("se" + Guid.NewGuid().ToString("N")[..6], 1) };
        await factory.AddFakeChannelAsync(org, enabled: true, stream: sentinel);
        await sentinel.Drained.Task.WaitAsync(TimeSpan.FromSeconds(30));
        stream.Runs.ShouldBe(0);

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await db.ChannelConnections.Where(c => c.ChannelId == channelId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.IsEnabled, true).SetProperty(c => c.UpdatedAt, DateTime.UtcNow));
        }

        factory.Services.GetRequiredService<ConnectorSignal>().Ring();
        await stream.Drained.Task.WaitAsync(TimeSpan.FromSeconds(30));
        stream.Runs.ShouldBe(1);
    }

    [Theory]
    [InlineData(1, 0.0, 100)]
    [InlineData(2, 0.0, 200)]
    [InlineData(3, 0.0, 400)]
    [InlineData(3, 1.0, 800)]
    [InlineData(20, 1.0, 5000)]
    public void Backoff_doubles_from_the_base_is_capped_and_keeps_at_least_half_under_jitter(int attempt, double random, int expectedMs)
    {
        var o = new ConnectorOptions { RestartBaseDelay = TimeSpan.FromMilliseconds(200), RestartMaxDelay = TimeSpan.FromSeconds(5) };
        ConnectorHost.Backoff(attempt, o, random).TotalMilliseconds.ShouldBe(expectedMs, tolerance: 1);
    }

    private async Task InjectFailureAsync(bool install)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var sql = (CivicDeskFactory.Provider, install) switch
        {
            (DatabaseProvider.Sqlite, true) =>
                "CREATE TRIGGER connector_test_fail BEFORE INSERT ON \"Messages\" WHEN NEW.\"Text\" LIKE '%FAIL-DB%' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            (DatabaseProvider.Sqlite, false) => "DROP TRIGGER connector_test_fail;",
            (_, true) => """
                CREATE FUNCTION connector_test_fail() RETURNS trigger AS $$ BEGIN
                  IF NEW."Text" LIKE '%FAIL-DB%' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
                CREATE TRIGGER connector_test_fail BEFORE INSERT ON "Messages" FOR EACH ROW EXECUTE FUNCTION connector_test_fail();
                """,
            (_, false) => "DROP TRIGGER connector_test_fail ON \"Messages\"; DROP FUNCTION connector_test_fail();",
        };
        await db.Database.ExecuteSqlRawAsync(sql);
    }
}
