using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Tests.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Newsroom;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace CivicDesk.Web.Tests.Publishing;

/// <summary>
/// kill -9 of the app while it publishes scheduled posts, twice, at random requests (sometimes before the network
/// stores the post, sometimes after it stored it but before the app heard back), then a clean run: every post is on
/// every network exactly once and every delivery is recorded as delivered.
/// </summary>
public sealed class PublishingCrashTests(ITestOutputHelper output)
{
    private const int Posts = 5;

    [Fact]
    public async Task Killing_the_app_mid_publish_ends_with_exactly_one_copy_per_channel()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("civicdesk-publish-crash-").FullName;
        try
        {
            await RunAsync(dataDirectory);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task RunAsync(string dataDirectory)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var fake = await FakeSocialNetworks.StartAsync();
        TestOrganisation org;
        var ids = new List<long>();
        Dictionary<string, string> environment;
        // Arrange with this process's own worker off, so only the child process publishes.
        using (var factory = new KeptDatabaseFactory(dataDirectory, ("Publishing:WorkerEnabled", "false")))
        {
            org = await TestOrganisation.CreateAsync(factory);
            var channels = await PublishingTests.ChannelsAsync(factory, org, fake.BaseUrl);
            for (var i = 0; i < Posts; i++)
            {
                var created = await PublishingTests.CreateAsync(factory, org, new PublicationRequest($"Crash post {i}: the Pump Room opens at 9am.",
                    [.. channels.Values.Select(c => new PublicationTarget(c))], [new PublicationImageInput("room.png", NewsroomTests.Png, "The Pump Room")]));
                created.Succeeded.ShouldBeTrue(string.Join("; ", created.Errors.Select(e => e.Message)));
                ids.Add(created.Id!.Value);
            }

            environment = factory.ChildEnvironment(
                ("OutboundHttp__AllowLoopback", "true"), ("OutboundHttp__AllowHttp", "true"),
                ("Publishing__SweepInterval", "00:00:01"), ("Publishing__RetryBaseDelay", "00:00:01"),
                // A killed worker's claims lapse quickly, so the restarted one takes them over within the test.
                ("Publishing__ClaimLease", "00:00:03"));
        }

        // Two crashes at random requests to the networks; each time the request either stops there or is stored first.
        for (var crash = 0; crash < 2; crash++)
        {
            var seen = fake.Requests.Count;
            var killAt = seen + Random.Shared.Next(1, 12);
            var storeFirst = Random.Shared.Next(2) == 0;
            await using var app = await WebAppProcess.StartAsync(environment, TimeSpan.FromSeconds(90));
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            fake.OnRequest = async request =>
            {
                if (fake.Requests.Count < killAt || killed.Task.IsCompleted)
                {
                    return;
                }

                await app.KillAsync();
                killed.TrySetResult();
                if (!storeFirst)
                {
                    throw new IOException("the network never got the post: the app died while sending it");
                }
            };
            var finished = await Task.WhenAny(killed.Task, AllDeliveredAsync(environment, org.Id, ids));
            fake.OnRequest = null;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s run {crash + 1}: {(finished == killed.Task ? $"killed at request {killAt} ({(storeFirst ? "after" : "before")} the network stored it)" : "finished before the kill")}");
        }

        // A clean run finishes the rest.
        await using (var app = await WebAppProcess.StartAsync(environment, TimeSpan.FromSeconds(90)))
        {
            await AllDeliveredAsync(environment, org.Id, ids).WaitAsync(TimeSpan.FromSeconds(90));
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s all delivered; {fake.Requests.Count} requests to the networks");
        fake.MastodonStatuses.Count.ShouldBe(Posts);
        fake.BlueskyPosts.Count.ShouldBe(Posts);
        fake.Tweets.Count.ShouldBe(Posts);
        fake.FacebookPosts.Count.ShouldBe(Posts);
        for (var i = 0; i < Posts; i++)
        {
            var text = $"Crash post {i}: the Pump Room opens at 9am.";
            fake.MastodonStatuses.Count(s => s.Text == text).ShouldBe(1, $"post {i} on Mastodon");
            fake.BlueskyPosts.Count(p => p["text"]?.GetValue<string>() == text).ShouldBe(1, $"post {i} on Bluesky");
            fake.Tweets.Count(t => t.Text == text).ShouldBe(1, $"post {i} on X");
            fake.FacebookPosts.Count(p => p.Message == text).ShouldBe(1, $"post {i} on Facebook");
        }

        await using var db = OpenDb(environment, org.Id);
        var deliveries = await db.PublicationDeliveries.AsNoTracking().Where(d => ids.Contains(d.PublicationId)).ToListAsync();
        deliveries.Count.ShouldBe(Posts * 4);
        deliveries.ShouldAllBe(d => d.State == DeliveryState.Delivered && d.RemoteId != null);
        (await db.Publications.CountAsync(p => ids.Contains(p.Id) && p.Status == PublicationStatus.Published)).ShouldBe(Posts);
    }

    private static async Task AllDeliveredAsync(Dictionary<string, string> environment, long organisationId, List<long> ids)
    {
        while (true)
        {
            await using (var db = OpenDb(environment, organisationId))
            {
                if (await db.PublicationDeliveries.CountAsync(d => ids.Contains(d.PublicationId) && d.State != DeliveryState.Delivered) == 0)
                {
                    return;
                }
            }

            await Task.Delay(100);
        }
    }

    private static CivicDeskDb OpenDb(Dictionary<string, string> environment, long organisationId)
    {
        var organisation = new OrganisationContext();
        organisation.Set(organisationId);
        var connectionString = environment["Database__ConnectionString"];
        return CivicDeskFactory.Provider == DatabaseProvider.Postgres
            ? new PostgresCivicDeskDb(new DbContextOptionsBuilder<PostgresCivicDeskDb>().UseNpgsql(connectionString).Options, organisation)
            : new SqliteCivicDeskDb(new DbContextOptionsBuilder<SqliteCivicDeskDb>().UseSqlite(connectionString).Options, organisation);
    }
}
