using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Cases;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Privacy;

/// <summary>One app with exactly one organisation: the public pages serve it.</summary>
public sealed class OneOrganisationFixture : IAsyncLifetime
{
    public CivicDeskFactory Factory { get; } = new();
    public TestOrganisation Org { get; private set; } = null!;

    public async Task InitializeAsync() => Org = await TestOrganisation.CreateAsync(Factory);

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Public by default, private only with a reason, changes shown; the privacy notice comes from settings.</summary>
public sealed class ListeningRegisterTests : IClassFixture<OneOrganisationFixture>
{
    private readonly CivicDeskFactory _factory;
    private readonly TestOrganisation _org;

    public ListeningRegisterTests(OneOrganisationFixture fixture) => (_factory, _org) = (fixture.Factory, fixture.Org);

    private static Task<HttpResponseMessage> SaveAsync(HttpClient comms, Dictionary<string, string> form) =>
        StaffClient.PostFormAsync(comms, "/admin/listening", "/admin/listening?handler=Save", form);

    [Fact]
    public async Task A_new_search_is_public_with_its_purpose_and_history_and_a_private_one_needs_a_reason()
    {
        var org = _org;
        var comms = await StaffClient.SignInAsync(_factory, org, Roles.Comms);

        (await SaveAsync(comms, new()
        {
            ["Input.Name"] = "Flooding", ["Input.Terms"] = "flood\n#floodalert", ["Input.Match"] = "Any", ["Input.Enabled"] = "true",
            ["Input.Purpose"] = "To hear about flooding early and warn residents", ["Input.LegalBasis"] = "Public task",
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var noReason = await SaveAsync(comms, new()
        {
            ["Input.Name"] = "Investigation", ["Input.Terms"] = "fraud", ["Input.Enabled"] = "true", ["Input.Public"] = "false",
        });
        (await noReason.Content.ReadAsStringAsync()).ShouldContain("Enter why this search must not be on the public register");
        (await SaveAsync(comms, new()
        {
            ["Input.Name"] = "Investigation", ["Input.Terms"] = "fraud", ["Input.Enabled"] = "true", ["Input.Public"] = "false",
            ["Input.PrivateReason"] = "Live counter-fraud investigation",
        })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var flooding = await CaseTestData.WithDbAsync(_factory, org.Id, db => db.ListeningSearches.SingleAsync(s => s.Name == "Flooding"));
        flooding.IsPublic.ShouldBeTrue();
        (await SaveAsync(comms, new()
        {
            ["Input.Id"] = flooding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Input.Name"] = "Flooding",
            ["Input.Terms"] = "flood\n#floodalert\nriver level", ["Input.Enabled"] = "true", ["Input.Purpose"] = "To hear about flooding early and warn residents",
            ["Input.LegalBasis"] = "Public task",
        })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var register = await InboxTestData.GetPageAsync(StaffClient.Anonymous(_factory), "/listening-register");
        var card = register.QuerySelector($"#search-{flooding.Id}")!;
        card.TextContent.ShouldContain("flood, #floodalert, river level");
        card.TextContent.ShouldContain("To hear about flooding early and warn residents");
        card.TextContent.ShouldContain("Now also listens for: river level");
        card.TextContent.ShouldContain("Started listening for: flood, #floodalert");
        register.QuerySelector("main")!.TextContent.ShouldNotContain("fraud");
    }

    [Fact]
    public async Task The_privacy_notice_is_written_from_the_organisations_settings()
    {
        var org = _org.Id;
        await CaseTestData.WithDbAsync(_factory, org, async db =>
        {
            var o = await db.Organisations.SingleAsync(x => x.Id == org);
            (o.PrivacyContact, o.IcoRegistration) = ("Data Protection Officer, dpo@test.gov.uk", "ZA654321");
            db.RetentionPolicies.Add(new RetentionPolicy { OrganisationId = org, DataClass = RetentionDataClass.ListeningMessages, PeriodDays = 90, Action = RetentionAction.Anonymise, IsEnabled = true });
            return await db.SaveChangesAsync();
        });

        var page = await InboxTestData.GetPageAsync(StaffClient.Anonymous(_factory), "/privacy");
        var text = page.QuerySelector("main")!.TextContent;
        text.ShouldContain("ZA654321");
        page.QuerySelector("#privacy-contact")!.TextContent.ShouldContain("dpo@test.gov.uk");
        page.QuerySelector("#retention")!.TextContent.ShouldContain("3 months, then anonymised");
        page.QuerySelector("#channels")!.TextContent.ShouldContain("our online report form");
    }
}
