using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>The jurisdiction errors that need a server with none or several jurisdictions, and the 429 error document.</summary>
public sealed class Open311JurisdictionTests : IDisposable
{
    private sealed class LimitedFactory : CivicDeskFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Open311:RequestsPerMinute", "3"), new("Webhooks:WorkerEnabled", "false")];
    }

    private readonly LimitedFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task No_jurisdiction_is_404_and_a_missing_one_among_several_is_400()
    {
        var client = _factory.CreateClient();
        var none = await client.GetAsync("/open311/v2/services.json");
        ((int)none.StatusCode).ShouldBe(404);
        Open311Read.Errors("json", await none.Content.ReadAsStringAsync()).ShouldHaveSingleItem().Description.ShouldBe("No Open311 jurisdiction is set up here");

        foreach (var id in new[] { "north", "south" })
        {
            var org = await TestOrganisation.CreateAsync(_factory);
            await using var scope = _factory.ScopeFor(org.Id);
            await scope.ServiceProvider.GetRequiredService<Open311ClientKeys>().JurisdictionAsync(org.Id, id, default);
        }

        var ambiguous = await client.GetAsync("/open311/v2/services.xml");
        ((int)ambiguous.StatusCode).ShouldBe(400);
        Open311Read.Errors("xml", await ambiguous.Content.ReadAsStringAsync()).ShouldHaveSingleItem().Description.ShouldBe("jurisdiction_id is required");
    }

    [Fact]
    public async Task Too_many_calls_get_429_as_an_error_document()
    {
        var client = _factory.CreateClient();
        var statuses = new List<int>();
        string? refused = null;
        for (var i = 0; i < 6; i++)
        {
            var response = await client.GetAsync("/open311/v2/services.xml?jurisdiction_id=anywhere");
            statuses.Add((int)response.StatusCode);
            if ((int)response.StatusCode == 429)
            {
                refused = await response.Content.ReadAsStringAsync();
                response.Headers.RetryAfter.ShouldNotBeNull();
            }
        }

        statuses.ShouldContain(429);
        Open311Read.Errors("xml", refused!).ShouldHaveSingleItem().Description.ShouldContain("Too many requests");
    }
}
