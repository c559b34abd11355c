using System.Net;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Security;

/// <summary>Small buckets that do not refill during the test, so the count is exact.</summary>
public sealed class TinyRateLimitFactory : CivicDeskFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimits:IngestBurst", "3"),
        new("RateLimits:IngestPerSecond", "1"),
        new("RateLimits:IngestReplenishPeriod", "01:00:00"),
        new("Open311:RequestsPerMinute", "6"),
    ];
}

/// <summary>The server picks the partition (the client's address); made-up keys do not open fresh buckets.</summary>
public sealed class RateLimitPartitionTests : IClassFixture<TinyRateLimitFactory>
{
    private readonly TinyRateLimitFactory _factory;

    public RateLimitPartitionTests(TinyRateLimitFactory factory) => _factory = factory;

    [Fact]
    public async Task Ingest_requests_with_a_different_made_up_key_each_share_one_bucket()
    {
        var client = StaffClient.Anonymous(_factory);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Api-Key", $"made-up-{i:D4}-" + Guid.NewGuid().ToString("N"));
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }

        statuses.Take(3).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Skip(3).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Open311_requests_with_a_different_made_up_api_key_each_share_one_bucket()
    {
        var client = StaffClient.Anonymous(_factory);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 9; i++)
        {
            statuses.Add((await client.GetAsync($"/open311/v2/services.xml?api_key=made-up-key-{i:D4}-{Guid.NewGuid():N}")).StatusCode);
        }

        statuses.Take(6).ShouldNotContain(HttpStatusCode.TooManyRequests);
        // One token returns every 10 s: on a slow machine a later call may pass, but the bucket is shared, so some are refused.
        statuses.Skip(6).ShouldContain(HttpStatusCode.TooManyRequests);
    }
}
