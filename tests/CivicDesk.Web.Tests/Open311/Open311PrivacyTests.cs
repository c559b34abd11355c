using System.Globalization;
using System.Net;
using System.Xml.Linq;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>GET requests is public: the reporter's words and exact place stay private until staff review them.</summary>
public sealed class Open311PrivacyTests(Open311CaseFixture fx) : IClassFixture<Open311CaseFixture>
{
    private const string J = "jurisdiction_id=" + Open311CaseFixture.Jurisdiction;
    private const string Words = "Pothole outside my house at 14 Mill Lane, I am Ada and my number is 07700 900123";

    private async Task<string> CreateAsync()
    {
        var response = await fx.Client.PostAsync("requests.xml", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Open311CaseFixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_code"] = "bins",
            ["lat"] = "51.899412", ["long"] = "-2.078371", ["address_string"] = "14 Mill Lane", ["description"] = Words,
        }));
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(200, body);
        return XDocument.Parse(body).Root!.Element("request")!.Element("service_request_id")!.Value;
    }

    private async Task<XElement> ReadAsync(string reference, string? key = null)
    {
        var list = await fx.Client.GetStringAsync($"requests.xml?{J}&service_request_id={reference}" + (key is null ? "" : "&api_key=" + Uri.EscapeDataString(key)));
        return XDocument.Parse(list).Root!.Element("request")!;
    }

    [Fact]
    public async Task The_public_sees_no_free_text_or_address_and_only_a_rounded_point()
    {
        var reference = await CreateAsync();

        var request = await ReadAsync(reference);
        request.Element("service_code")!.Value.ShouldBe("bins");
        request.Element("description")!.Value.ShouldBeEmpty();
        request.Element("address")!.Value.ShouldBeEmpty();
        request.ToString().ShouldNotContain("Mill Lane");
        request.ToString().ShouldNotContain("07700");
        // Rounded as the public map rounds (3 decimals, about 110 m), never the exact pin.
        double.Parse(request.Element("lat")!.Value, CultureInfo.InvariantCulture).ShouldBe(51.899);
        double.Parse(request.Element("long")!.Value, CultureInfo.InvariantCulture).ShouldBe(-2.078);

        var json = await fx.Client.GetStringAsync($"requests.json?{J}&service_code=bins");
        json.ShouldContain(reference);
        json.ShouldNotContain("Mill Lane");
        json.ShouldNotContain("51.899412");
    }

    [Fact]
    public async Task Its_client_reads_everything_back_with_its_key_and_a_wrong_key_is_refused()
    {
        var reference = await CreateAsync();

        var request = await ReadAsync(reference, fx.ApiKey);
        request.Element("description")!.Value.ShouldBe(Words);
        request.Element("address")!.Value.ShouldBe("14 Mill Lane");
        request.Element("lat")!.Value.ShouldBe("51.899412");

        var wrong = await fx.Client.GetAsync($"requests.xml?{J}&service_request_id={reference}&api_key=not-a-real-key-123");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task After_staff_review_the_text_is_public_and_withdrawing_hides_it_again()
    {
        var reference = await CreateAsync();
        await using (var scope = fx.Factory.ScopeFor(fx.Org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var id = await db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
            var result = await scope.ServiceProvider.GetRequiredService<Web.Features.Cases.CasePublicText>().SetAsync(id, publish: true, default);
            result.Succeeded.ShouldBeTrue();
            (await db.AuditEvents.CountAsync(a => a.Action == "case.public-text-approved" && a.TargetId == id.ToString(CultureInfo.InvariantCulture))).ShouldBe(1);
        }

        var published = await ReadAsync(reference);
        published.Element("description")!.Value.ShouldBe(Words);
        published.Element("address")!.Value.ShouldBe("14 Mill Lane");
        // Still rounded: the exact point is never published.
        published.Element("lat")!.Value.ShouldBe("51.899");

        await using (var scope = fx.Factory.ScopeFor(fx.Org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var id = await db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
            (await scope.ServiceProvider.GetRequiredService<Web.Features.Cases.CasePublicText>().SetAsync(id, publish: false, default)).Succeeded.ShouldBeTrue();
        }

        (await ReadAsync(reference)).Element("description")!.Value.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_non_public_case_cannot_have_its_text_published()
    {
        var reference = await CreateAsync();
        await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var c = await db.Cases.SingleAsync(x => x.Reference == reference);
        c.NonPublic = true;
        await db.SaveChangesAsync();
        var result = await scope.ServiceProvider.GetRequiredService<Web.Features.Cases.CasePublicText>().SetAsync(c.Id, publish: true, default);
        result.Outcome.ShouldBe(Web.Features.Cases.CaseOutcome.Invalid);
    }

    [Fact]
    public async Task Unknown_jurisdictions_are_not_cached_and_the_cache_is_bounded()
    {
        var directory = fx.Factory.Services.GetRequiredService<Open311Directory>();
        directory.Forget();
        for (var i = 0; i < 300; i++)
        {
            (await directory.FindTenantAsync("made-up-" + i, default)).Tenant.ShouldBeNull();
        }

        directory.CachedTenantCount.ShouldBe(0);

        // A miss is not remembered: a jurisdiction created just after someone asked for it is found at once.
        var name = "new-" + Guid.NewGuid().ToString("N")[..8];
        (await directory.FindTenantAsync(name, default)).Tenant.ShouldBeNull();
        var other = await TestOrganisation.CreateAsync(fx.Factory);
        await using (var scope = fx.Factory.ScopeFor(other.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.Open311Jurisdictions.Add(new Open311Jurisdiction { OrganisationId = other.Id, JurisdictionId = name, Contact = "", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        (await directory.FindTenantAsync(name, default)).Tenant.ShouldNotBeNull();
        directory.CachedTenantCount.ShouldBeLessThanOrEqualTo(Open311Directory.MaxCachedTenants);
    }
}
