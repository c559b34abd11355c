using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Isolation;

/// <summary>The global query filter is the floor under every page: one organisation's scope never sees another's rows.</summary>
public sealed class OrganisationIsolationTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public OrganisationIsolationTests(CivicDeskFactory factory) => _factory = factory;

    [Fact]
    public async Task A_scope_for_one_organisation_sees_none_of_another_organisations_rows()
    {
        var a = await TestOrganisation.CreateAsync(_factory);
        var b = await TestOrganisation.CreateAsync(_factory);
        var pipeline = _factory.Services.GetRequiredService<IngestPipeline>();
        await pipeline.SubmitAsync(new IngestBatch(a.Id, a.ApiChannelId, ChannelKind.Api, [new InboundPost("a-1", "Pothole on Dog Lane", "@alice")]), default);
        await pipeline.SubmitAsync(new IngestBatch(b.Id, b.ApiChannelId, ChannelKind.Api, [new InboundPost("b-1", "Bin not collected", "@bob")]), default);

        await using var scope = _factory.ScopeFor(a.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Messages.Select(m => m.OrganisationId).Distinct().ToListAsync()).ShouldBe([a.Id]);
        (await db.Conversations.Select(c => c.OrganisationId).Distinct().ToListAsync()).ShouldBe([a.Id]);
        (await db.Teams.Select(t => t.OrganisationId).Distinct().ToListAsync()).ShouldBe([a.Id]);
        (await db.Channels.Select(c => c.OrganisationId).Distinct().ToListAsync()).ShouldBe([a.Id]);
        (await db.AuditEvents.AnyAsync(e => e.OrganisationId == b.Id)).ShouldBeFalse();
        (await db.Users.AnyAsync(u => u.OrganisationId == b.Id)).ShouldBeFalse();
        // Even asking for the other organisation's rows by id finds nothing.
        (await db.Conversations.AnyAsync(c => c.OrganisationId == b.Id)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_scope_with_no_organisation_sees_nothing()
    {
        var a = await TestOrganisation.CreateAsync(_factory);
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Teams.AnyAsync()).ShouldBeFalse();
        (await db.Channels.AnyAsync()).ShouldBeFalse();
        (await db.Teams.IgnoreQueryFilters().AnyAsync(t => t.OrganisationId == a.Id)).ShouldBeTrue();
    }

    [Fact]
    public void The_organisation_of_a_scope_cannot_be_switched()
    {
        var context = new OrganisationContext();
        context.Set(1);
        Should.Throw<InvalidOperationException>(() => context.Set(2));
    }
}
