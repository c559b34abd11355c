using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Case = CivicDesk.Web.Domain.Case;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Cases;

/// <summary>Case services and cases for tests, made through <see cref="CaseCommands"/> as the app makes them.</summary>
internal static class CaseTestData
{
    public const string Potholes = "highways_road_surface";
    public const string Flytipping = "flytipping";

    public static async Task ServicesAsync(CivicDeskFactory factory, TestOrganisation org)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.CaseServices.AddRange(
            new CaseService { OrganisationId = org.Id, Code = Potholes, Name = "Potholes and damaged roads", Group = "Roads", TeamId = org.Teams["Highways"], CreatedAt = DateTime.UtcNow },
            new CaseService { OrganisationId = org.Id, Code = Flytipping, Name = "Fly-tipping", Group = "Street cleaning", TeamId = org.Teams["Waste"], CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    public static async Task<T> CommandAsync<T>(CivicDeskFactory factory, TestOrganisation org, Func<CaseCommands, Task<T>> work)
    {
        await using var scope = factory.ScopeFor(org.Id);
        return await work(scope.ServiceProvider.GetRequiredService<CaseCommands>());
    }

    public static async Task<Case> CaseAsync(CivicDeskFactory factory, TestOrganisation org, string title = "Pothole on the High Street",
        string service = Potholes, double? latitude = null, double? longitude = null, IReadOnlyList<long>? messageIds = null)
    {
        var result = await CommandAsync(factory, org, c => c.CreateAsync(new NewCase
        {
            ServiceCode = service, Title = title, Description = title + ", deep enough to damage a tyre", Source = CaseSource.Staff,
            Latitude = latitude, Longitude = longitude, MessageIds = messageIds ?? [],
        }, CancellationToken.None));
        result.Outcome.ShouldBe(CaseOutcome.Done, result.Error);
        return result.Case!;
    }

    public static async Task<T> WithDbAsync<T>(CivicDeskFactory factory, long organisationId, Func<CivicDeskDb, Task<T>> work)
    {
        await using var scope = factory.ScopeFor(organisationId);
        return await work(scope.ServiceProvider.GetRequiredService<CivicDeskDb>());
    }

    public static Task<Case> ReloadAsync(CivicDeskFactory factory, TestOrganisation org, long id) =>
        WithDbAsync(factory, org.Id, db => db.Cases.AsNoTracking().SingleAsync(c => c.Id == id));
}
