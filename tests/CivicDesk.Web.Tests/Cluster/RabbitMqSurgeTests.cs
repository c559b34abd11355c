using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static CivicDesk.Web.Tests.Ingestion.IngestClient;

namespace CivicDesk.Web.Tests.Cluster;

/// <summary>
/// Three real app processes on one PostgreSQL database with RabbitMQ taking the surge: clients post to every node,
/// one node is killed with -9 mid-surge and the broker is killed with -9 and started again; afterwards every batch a node answered 202 for
/// (the broker confirmed it) is stored exactly once, nothing unsent appears, and the audit chain verifies.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterRequirements.Collection)]
public sealed class RabbitMqSurgeTests(ITestOutputHelper output)
{
    private const int Clients = 4;
    private const int PostsPerBatch = 20;

    [Fact]
    public async Task A_surge_through_the_broker_survives_a_killed_node_and_a_broker_restart()
    {
        var (uri, brokerState) = ClusterRequirements.RabbitMq();
        var clock = Stopwatch.StartNew();
        using var factory = new ClusterDatabaseFactory();
        var org = await TestOrganisation.CreateAsync(factory);
        var environment = factory.NodeEnvironment(
            ("RabbitMq__Uri", uri),
            ("RabbitMq__Queue", "civicdesk.test." + Guid.NewGuid().ToString("N")[..8]),
            ("RabbitMq__ConfirmTimeout", "00:00:05"));
        var nodes = await ClusterDatabaseFactory.StartNodesAsync(3, environment);
        try
        {
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s three nodes up");
            var attempted = new ConcurrentDictionary<string, byte>();
            var acknowledged = new ConcurrentDictionary<string, byte>();
            var refused = 0;
            using var stop = new CancellationTokenSource();
            var surge = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                for (var b = 0; !stop.IsCancellationRequested; b++)
                {
                    // Round robin over the nodes, as a load balancer would; a dead node just refuses the connection.
                    var node = nodes[(c + b) % nodes.Length];
                    using var http = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(15) };
                    var name = $"s{c}-{b}";
                    var batch = Enumerable.Range(0, PostsPerBatch).Select(i => (object)Message($"{name}-{i}", $"Surge {name} post {i}: flooding on the high street", $"@resident{(c * 31 + b + i) % 97}")).ToArray();
                    foreach (var i in Enumerable.Range(0, PostsPerBatch))
                    {
                        attempted[$"{name}-{i}"] = 0;
                    }

                    try
                    {
                        using var response = await PostAsync(http, org.ApiKey, batch);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            foreach (var i in Enumerable.Range(0, PostsPerBatch))
                            {
                                acknowledged[$"{name}-{i}"] = 0;
                            }
                        }
                        else
                        {
                            // 503 while the broker is away: nothing acknowledged, the client would resend later.
                            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
                            Interlocked.Increment(ref refused);
                            await Task.Delay(200);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        Interlocked.Increment(ref refused);   // the killed node
                    }
                }
            })).ToArray();

            await WaitForAsync(() => acknowledged.Count >= 40 * PostsPerBatch, "the surge to get going");
            await nodes[2].KillAsync();
            var atKill = acknowledged.Count;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s killed node 3 after {atKill / PostsPerBatch} acknowledged batches");
            await WaitForAsync(() => acknowledged.Count >= atKill + (20 * PostsPerBatch), "the surge to carry on without node 3");

            await RestartBrokerAsync(brokerState);
            var atRestart = acknowledged.Count;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s broker restarted; {atRestart / PostsPerBatch} batches acknowledged so far");
            await WaitForAsync(() => acknowledged.Count >= atRestart + (20 * PostsPerBatch), "publishing to resume after the broker restart");
            await stop.CancelAsync();
            await Task.WhenAll(surge);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s surge over: {acknowledged.Count} posts acknowledged of {attempted.Count} sent, {refused} refusals");

            await using var db = factory.OpenDb(org.Id);
            await WaitForAsync(() => db.Messages.Count(m => acknowledged.Keys.Contains(m.ExternalId)) >= acknowledged.Count, "every acknowledged post stored", 90);
            var stored = await db.Messages.Select(m => m.ExternalId).ToListAsync();
            stored.Distinct().Count().ShouldBe(stored.Count, "a post was stored twice");
            acknowledged.Keys.Except(stored).ShouldBeEmpty("an acknowledged post was lost");
            stored.Except(attempted.Keys).ShouldBeEmpty("something never sent was stored");
            (await db.Conversations.SumAsync(c => c.MessageCount)).ShouldBe(stored.Count);
            var verification = await new AuditVerifier(db).VerifyAsync(org.Id, default);
            verification.IsIntact.ShouldBeTrue(verification.FirstBreak?.Problem);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s {stored.Count} posts stored once ({acknowledged.Count} acknowledged), {verification.EventsChecked} audit events verified");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task RestartBrokerAsync(string stateDirectory)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ClusterRequirements.RepositoryFile("scripts/rabbitmq.sh"));
        start.ArgumentList.Add("restart");
        start.ArgumentList.Add(stateDirectory);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await error);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(100);
        }
    }
}
