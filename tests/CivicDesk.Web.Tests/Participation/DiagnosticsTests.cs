using System.Net;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Participation;

public sealed class ParticipationPagesTests(ParticipationFactory site) : IClassFixture<ParticipationFactory>
{
    [Fact]
    public async Task Every_public_participation_page_answers_for_a_visitor_and_a_citizen()
    {
        var challenge = await site.ChallengeAsync(hashtag: "BetterForms");
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        var idea = await ParticipationFactory.ProposeAsync(ada, challenge, "Online permits", "Renew online.", 51.9, -2.07);
        var visitor = StaffClient.Anonymous(site);
        var (mapId, mapSlug) = await site.WithDbAsync(async db =>
        {
            var project = new Web.Domain.MapProject
            {
                OrganisationId = site.Organisation.Id, Slug = "m-" + Guid.NewGuid().ToString("N")[..10], Title = "Ditches", OwnerTeamId = site.Organisation.Teams["Highways"],
                AttributesJson = """[{"name":"condition","label":"Condition","type":"Choice","choices":["good","blocked"],"required":true}]""", CreatedAt = DateTime.UtcNow,
            };
            db.MapProjects.Add(project);
            await db.SaveChangesAsync();
            return (project.Id, project.Slug);
        });
        foreach (var (client, path) in new[]
                 {
                     (visitor, "/participate"), (visitor, "/participate/house-rules"), (visitor, $"/participate/{challenge.Slug}"),
                     (visitor, $"/participate/{challenge.Slug}/ideas/{idea}"), (ada, "/participate"), (ada, $"/participate/{challenge.Slug}"),
                     (ada, $"/participate/{challenge.Slug}/ideas/{idea}"), (ada, $"/participate/{challenge.Slug}/propose"), (ada, "/participate/account"),
                     (visitor, $"/participate/maps/{mapSlug}"), (ada, $"/participate/maps/{mapSlug}"), (visitor, $"/participate/maps/{mapSlug}/features.geojson"),
                     (visitor, $"/participate/maps/{mapSlug}/features.csv"),
                 })
        {
            var r = await client.GetAsync(path);
            r.StatusCode.ShouldBe(HttpStatusCode.OK, $"{path}: {site.Errors}");
        }

        var staff = await StaffClient.SignInAsync(site, site.Organisation, Web.Domain.Roles.Comms);
        foreach (var path in new[] { "/participation", $"/participation/challenges/{challenge.Id}", "/participation/moderation", "/participation/maps", $"/participation/maps/{mapId}" })
        {
            var r = await staff.GetAsync(path);
            r.StatusCode.ShouldBe(HttpStatusCode.OK, $"{path}: {site.Errors}");
        }

        (await visitor.GetAsync("/participation")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }
}
