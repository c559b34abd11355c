using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Case = CivicDesk.Web.Domain.Case;

namespace CivicDesk.Web.Tests.Cases;

/// <summary>
/// Duplicate candidates are read by service and place (issue 13): each new case reads its service family within its
/// radius and the cases with no point, not every open case, and finds what the scorer finds over the whole window.
/// </summary>
public sealed class DuplicateFinderTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private const string StreetLights = "street_lights";
    private const string Text = "Pothole outside 12 Lypiatt Road";

    // On Lypiatt Road, Cheltenham; 0.0001° of latitude is about 11 m.
    private const double Lat = 51.8930;
    private const double Lon = -2.0790;

    private async Task<TestOrganisation> OrganisationAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        await CaseTestData.WithDbAsync(factory, org.Id, db =>
        {
            // Related to potholes (same group), with a wider radius of its own.
            db.CaseServices.Add(new CaseService
            {
                OrganisationId = org.Id, Code = StreetLights, Name = "Street lights", Group = "Roads", TeamId = org.Teams["Highways"],
                DuplicateRadiusMetres = 200, CreatedAt = DateTime.UtcNow,
            });
            return db.SaveChangesAsync();
        });
        return org;
    }

    private async Task<List<long>> CandidatesAsync(TestOrganisation org, long caseId) =>
        await CaseTestData.WithDbAsync(factory, org.Id, db => db.CaseDuplicateCandidates.AsNoTracking()
            .Where(d => d.CaseId == caseId).Select(d => d.CandidateCaseId).ToListAsync());

    [Fact]
    public async Task A_case_near_one_of_its_service_gets_it_as_a_candidate_and_one_far_away_does_not()
    {
        var org = await OrganisationAsync();
        var near = await CaseTestData.CaseAsync(factory, org, Text, latitude: Lat, longitude: Lon);
        var far = await CaseTestData.CaseAsync(factory, org, Text, latitude: Lat + 0.02, longitude: Lon);           // ~2.2 km north
        var east = await CaseTestData.CaseAsync(factory, org, Text, latitude: Lat, longitude: Lon + 0.01);          // ~690 m east
        var otherService = await CaseTestData.CaseAsync(factory, org, Text, CaseTestData.Flytipping, Lat, Lon);
        var noPoint = await CaseTestData.CaseAsync(factory, org, Text);
        var relatedNear = await CaseTestData.CaseAsync(factory, org, Text, StreetLights, Lat + 0.0002, Lon);         // ~22 m, same group

        var subject = await CaseTestData.CaseAsync(factory, org, "Pothole outside number 12 Lypiatt Road", latitude: Lat + 0.0001, longitude: Lon);

        var candidates = await CandidatesAsync(org, subject.Id);
        candidates.ShouldContain(near.Id);
        candidates.ShouldContain(noPoint.Id, "a case with no point can only be matched by its words, wherever the new one is");
        candidates.ShouldContain(relatedNear.Id, "a related service of the same group, within the radius");
        candidates.ShouldNotContain(far.Id);
        candidates.ShouldNotContain(east.Id);
        candidates.ShouldNotContain(otherService.Id);
    }

    [Fact]
    public async Task A_case_with_no_point_is_compared_with_its_whole_service_family_by_words()
    {
        var org = await OrganisationAsync();
        var here = await CaseTestData.CaseAsync(factory, org, Text, latitude: Lat, longitude: Lon);
        var there = await CaseTestData.CaseAsync(factory, org, Text, latitude: Lat + 0.5, longitude: Lon + 0.5);
        var otherService = await CaseTestData.CaseAsync(factory, org, Text, CaseTestData.Flytipping, Lat, Lon);

        var subject = await CaseTestData.CaseAsync(factory, org, Text);

        var candidates = await CandidatesAsync(org, subject.Id);
        candidates.ShouldContain(here.Id);
        candidates.ShouldContain(there.Id);
        candidates.ShouldNotContain(otherService.Id);
    }

    [Fact]
    public async Task Suggestions_are_those_the_scorer_finds_over_every_open_case_of_the_window()
    {
        var org = await OrganisationAsync();
        var random = new Random(13);
        var texts = new[] { Text, "Deep pot hole by 12 Lypiatt Road", "Street light out on Lypiatt Road", "Broken kerb by the school", "Fly-tipped mattress on Lypiatt Road" };
        var services = new[] { CaseTestData.Potholes, CaseTestData.Potholes, StreetLights, CaseTestData.Flytipping, CaseTestData.General };
        for (var i = 0; i < 40; i++)
        {
            // Mostly within a few hundred metres (some inside each radius, some outside), a few with no point.
            var located = i % 7 != 0;
            await CaseTestData.CaseAsync(factory, org, texts[random.Next(texts.Length)], services[random.Next(services.Length)],
                located ? Lat + ((random.NextDouble() - 0.5) * 0.006) : null, located ? Lon + ((random.NextDouble() - 0.5) * 0.009) : null);
        }

        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var finder = scope.ServiceProvider.GetRequiredService<DuplicateFinder>();
        var scorer = scope.ServiceProvider.GetRequiredService<IDuplicateScorer>();
        var serviceRows = await db.CaseServices.AsNoTracking().ToListAsync();
        var all = await db.Cases.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        CaseSubject Subject(Case c) => new(c.Id, c.ServiceCode, serviceRows.Single(s => s.Code == c.ServiceCode).Group, c.Title + "\n" + c.Description,
            c.Latitude, c.Longitude, c.CreatedAt);
        double Radius(string code) => serviceRows.Single(s => s.Code == code).DuplicateRadiusMetres;

        var compared = 0;
        foreach (var c in all)
        {
            var expected = scorer.Find(Subject(c), [.. all.Where(x => x.Id != c.Id && x.IsOpen).Select(Subject)], Radius)
                .OrderByDescending(s => s.Score).Take(5).Select(s => (s.CandidateId, s.Score)).ToList();

            var actual = (await finder.SuggestAsync(c, default)).Select(s => (s.CandidateId, s.Score)).ToList();

            actual.ShouldBe(expected, $"case {c.Id} ({c.ServiceCode} at {c.Latitude}, {c.Longitude})");
            compared += expected.Count;
        }

        compared.ShouldBeGreaterThan(20, "the data should give the comparison something to find");
    }
}
