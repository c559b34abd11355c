using System.Net;

namespace CivicDesk.Web.Tests.Public;

/// <summary>A factory whose submission limit is 3 per ten minutes, so the 4th submission from one address is refused.</summary>
public sealed class LowSubmitLimitFactory : PublicSiteFactory
{
    public const int Limit = 3;

    protected override int SubmitsPerTenMinutes => Limit;
}

public sealed class RateLimitTests : IClassFixture<LowSubmitLimitFactory>
{
    private readonly LowSubmitLimitFactory _factory;

    public RateLimitTests(LowSubmitLimitFactory factory) => _factory = factory;

    [Fact]
    public async Task Submissions_over_the_configured_limit_are_refused_but_pages_still_load()
    {
        await _factory.OrganisationAsync();
        var citizen = Citizen.For(_factory);
        for (var i = 1; i <= LowSubmitLimitFactory.Limit; i++)
        {
            await citizen.SendValidReportAsync($"Report number {i} about a blocked drain");
        }

        var refused = await citizen.SendReportAsync(new Dictionary<string, string> { ["Input.Description"] = "One too many" });

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        // Viewing pages has its own, looser limit.
        (await citizen.Client.GetAsync("/report")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
