using System.Net;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Infrastructure;

public sealed class SmokeTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public SmokeTests(CivicDeskFactory factory) => _factory = factory;

    [Fact]
    public async Task Health_and_ready_answer_once_the_database_is_migrated()
    {
        var client = _factory.CreateClient();
        (await client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_model_has_no_changes_missing_from_the_migrations()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.Provider.ShouldBe(CivicDeskFactory.Provider);
        db.Database.HasPendingModelChanges().ShouldBeFalse();
    }
}
