using System.Xml.Linq;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>The real app end to end: services are case services, a create is a case, updates go through CaseCommands.</summary>
public sealed class Open311CaseFixture : IAsyncLifetime
{
    public const string Jurisdiction = "real-council";

    public CivicDeskFactory Factory { get; } = new Open311RealFactory();
    public TestOrganisation Org { get; private set; } = null!;
    public string ApiKey { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;

    private sealed class Open311RealFactory : CivicDeskFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Open311:RequestsPerMinute", "100000"), new("Webhooks:WorkerEnabled", "false")];
    }

    public async Task InitializeAsync()
    {
        Org = await TestOrganisation.CreateAsync(Factory);
        await using var scope = Factory.ScopeFor(Org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.CaseServices.AddRange(
            new CaseService { OrganisationId = Org.Id, Code = "potholes", Name = "Potholes", TeamId = Org.Teams["Highways"], Keywords = "roads", CreatedAt = DateTime.UtcNow },
            new CaseService { OrganisationId = Org.Id, Code = "bins", Name = "Missed bin", Group = "Bins and recycling", TeamId = Org.Teams["Waste"], CreatedAt = DateTime.UtcNow },
            new CaseService { OrganisationId = Org.Id, Code = "retired", Name = "Retired", IsActive = false, CreatedAt = DateTime.UtcNow });
        db.Open311ServiceAttributes.Add(new Open311ServiceAttribute
        {
            OrganisationId = Org.Id, ServiceCode = "potholes", Code = "depth", Datatype = Open311Datatype.SingleValueList, Required = true, Order = 1,
            Description = "How deep?", Values = [new("shallow", "Shallow"), new("deep", "Deep")],
        });
        await db.SaveChangesAsync();
        var keys = scope.ServiceProvider.GetRequiredService<Open311ClientKeys>();
        await keys.JurisdictionAsync(Org.Id, Jurisdiction, default);
        ApiKey = (await keys.IssueAsync(Org.Id, "FixMyStreet", default)).Key;
        Client = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost/open311/v2/") });
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class Open311CaseTests(Open311CaseFixture fx) : IClassFixture<Open311CaseFixture>
{
    private const string J = "jurisdiction_id=" + Open311CaseFixture.Jurisdiction;
    private const string FmsDescription = "title: Pothole on Mill Lane\r\n\r\ndetail: Two feet wide.\r\nBy the post box.\r\n\r\nSubmitted via FixMyStreet\r\n";

    private async Task<string> CreateAsync(params (string Key, string Value)[] extra)
    {
        var form = new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Open311CaseFixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_code"] = "potholes", ["lat"] = "51.9", ["long"] = "-2.07",
            ["description"] = FmsDescription, ["email"] = "ada@example.org", ["first_name"] = "Ada", ["last_name"] = "Lovelace", ["phone"] = "07700 900123",
            ["deviceid"] = "fms-1", ["attribute[depth]"] = "deep", ["attribute[fixmystreet_id]"] = "77",
        };
        foreach (var (k, v) in extra)
        {
            form[k] = v;
        }

        var response = await fx.Client.PostAsync("requests.xml", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(200, body);
        return XDocument.Parse(body).Root!.Element("request")!.Element("service_request_id")!.Value;
    }

    private async Task<Web.Domain.Case> CaseAsync(string reference)
    {
        await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Cases.AsNoTracking().SingleAsync(c => c.Reference == reference);
    }

    [Fact]
    public async Task Services_are_the_active_case_services_grouped_by_team()
    {
        var body = await fx.Client.GetStringAsync($"services.xml?{J}");

        var services = XDocument.Parse(body).Root!.Elements("service").ToList();
        services.Select(s => s.Element("service_code")!.Value).ShouldBe(["bins", "potholes"], ignoreOrder: true);
        services.Single(s => s.Element("service_code")!.Value == "potholes").Element("group")!.Value.ShouldBe("Highways");
        services.Single(s => s.Element("service_code")!.Value == "bins").Element("group")!.Value.ShouldBe("Bins and recycling");
        services.Single(s => s.Element("service_code")!.Value == "potholes").Element("metadata")!.Value.ShouldBe("true");
    }

    /// <summary>
    /// Services, teams and service definitions are cached per node (ReferenceData): a change saved here must reach the
    /// very next POST, not one 10 seconds later. Ends with the service disabled, so the service list stays as it was.
    /// </summary>
    [Fact]
    public async Task A_service_edited_or_disabled_takes_effect_on_the_next_post()
    {
        async Task EditAsync(Action<CivicDeskDb, CaseService> edit)
        {
            await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var service = await db.CaseServices.SingleOrDefaultAsync(x => x.Code == "graffiti")
                          ?? db.CaseServices.Add(new CaseService { OrganisationId = fx.Org.Id, Code = "graffiti", Name = "Graffiti", CreatedAt = DateTime.UtcNow }).Entity;
            edit(db, service);
            await db.SaveChangesAsync();
        }

        async Task<(int Status, string Body)> PostAsync()
        {
            var form = new Dictionary<string, string>
            {
                ["jurisdiction_id"] = Open311CaseFixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_code"] = "graffiti", ["lat"] = "51.9", ["long"] = "-2.07",
                ["description"] = "Tags on the bus shelter",
            };
            var response = await fx.Client.PostAsync("requests.xml", new FormUrlEncodedContent(form));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        // Unknown, and that answer is not kept: the service added next is found at once.
        (await PostAsync()).Status.ShouldBe(404);
        await EditAsync((_, s) => s.TeamId = fx.Org.Teams["Highways"]);
        var first = await PostAsync();
        first.Status.ShouldBe(200, first.Body);
        (await CaseAsync(XDocument.Parse(first.Body).Root!.Element("request")!.Element("service_request_id")!.Value)).TeamId.ShouldBe(fx.Org.Teams["Highways"]);

        // A new required question.
        await EditAsync((db, _) => db.Open311ServiceAttributes.Add(new Open311ServiceAttribute
        {
            OrganisationId = fx.Org.Id, ServiceCode = "graffiti", Code = "offensive", Datatype = Open311Datatype.Line, Required = true, Order = 1, Description = "Is it offensive?",
        }));
        var unanswered = await PostAsync();
        unanswered.Status.ShouldBe(400);
        unanswered.Body.ShouldContain("attribute[offensive] is required");

        // Moved to another team: the next case goes there.
        await EditAsync((db, s) =>
        {
            s.TeamId = fx.Org.Teams["Waste"];
            db.Open311ServiceAttributes.RemoveRange(db.Open311ServiceAttributes.Where(a => a.ServiceCode == "graffiti"));
        });
        var moved = await PostAsync();
        moved.Status.ShouldBe(200, moved.Body);
        (await CaseAsync(XDocument.Parse(moved.Body).Root!.Element("request")!.Element("service_request_id")!.Value)).TeamId.ShouldBe(fx.Org.Teams["Waste"]);

        // Disabled: refused on the next call.
        await EditAsync((_, s) => s.IsActive = false);
        var refused = await PostAsync();
        refused.Status.ShouldBe(404);
        refused.Body.ShouldContain("service_code graffiti was not found");
    }

    [Fact]
    public async Task A_create_becomes_a_case_with_its_reporter_and_answers_and_gets_listed_without_them()
    {
        var reference = await CreateAsync();

        var c = await CaseAsync(reference);
        c.Source.ShouldBe(CaseSource.Open311);
        c.ServiceCode.ShouldBe("potholes");
        c.Title.ShouldBe("Pothole on Mill Lane");
        c.Description.ShouldContain("detail: Two feet wide.\r\nBy the post box.");
        c.TeamId.ShouldBe(fx.Org.Teams["Highways"]);
        c.ExternalReference.ShouldBe("fixmystreet:77");
        await using (var scope = fx.Factory.ScopeFor(fx.Org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var reporter = await db.CaseReporters.AsNoTracking().SingleAsync(r => r.CaseId == c.Id);
            (reporter.Name, reporter.Email, reporter.Phone).ShouldBe(("Ada Lovelace", "ada@example.org", "07700 900123"));
            (await db.CaseUpdates.AsNoTracking().SingleAsync(u => u.CaseId == c.Id && u.Kind == CaseUpdateKind.InternalNote)).Text!.ShouldContain("depth: deep");
            (await db.CaseEvents.AsNoTracking().CountAsync(e => e.CaseId == c.Id && e.Type == CaseEventType.Created)).ShouldBe(1);
        }

        // The client that sent it reads it back with its key (the public sees no description: Open311PrivacyTests).
        var list = await fx.Client.GetStringAsync($"requests.xml?{J}&api_key={Uri.EscapeDataString(fx.ApiKey)}&service_request_id={reference}");
        var request = XDocument.Parse(list).Root!.Element("request")!;
        request.Element("status")!.Value.ShouldBe("open");
        request.Element("service_name")!.Value.ShouldBe("Potholes");
        request.Element("agency_responsible")!.Value.ShouldBe("Highways");
        request.Element("description")!.Value.ShouldContain("\r\nBy the post box.");
        list.ShouldNotContain("ada@example.org");
        list.ShouldNotContain("Lovelace");
        list.ShouldNotContain("07700");
        var json = await fx.Client.GetStringAsync($"requests.json?{J}&service_code=potholes&status=open");
        json.ShouldContain(reference);
    }

    [Fact]
    public async Task Token_mode_answers_the_cases_token_and_polling_finds_the_reference()
    {
        await using (var scope = fx.Factory.ScopeFor(fx.Org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<Open311ClientKeys>().SetJurisdictionAsync(fx.Org.Id, Open311CaseFixture.Jurisdiction, true, default);
        }

        try
        {
            var form = new Dictionary<string, string>
            {
                ["jurisdiction_id"] = Open311CaseFixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_code"] = "bins", ["address_string"] = "GL50 1AA",
                ["description"] = "Bin not emptied",
            };
            var created = XDocument.Parse(await (await fx.Client.PostAsync("requests.xml", new FormUrlEncodedContent(form))).Content.ReadAsStringAsync());
            var token = created.Root!.Element("request")!.Element("token")!.Value;

            var poll = XDocument.Parse(await fx.Client.GetStringAsync($"tokens/{token}.xml?{J}"));
            var reference = poll.Root!.Element("request")!.Element("service_request_id")!.Value;
            (await CaseAsync(reference)).Address.ShouldBe("GL50 1AA");
        }
        finally
        {
            await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
            await scope.ServiceProvider.GetRequiredService<Open311ClientKeys>().SetJurisdictionAsync(fx.Org.Id, Open311CaseFixture.Jurisdiction, false, default);
        }
    }

    [Fact]
    public async Task A_back_office_update_moves_the_case_once_and_is_listed_with_its_extended_status()
    {
        var reference = await CreateAsync();
        var form = new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Open311CaseFixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_request_id"] = reference, ["update_id"] = "bo-" + reference,
            ["status"] = "FIXED", ["updated_datetime"] = DateTimeOffset.UtcNow.AddMinutes(1).ToString("yyyy-MM-ddTHH:mm:sszzz"), ["description"] = "Filled today",
            ["external_status_code"] = "F1",
        };

        var first = await fx.Client.PostAsync("servicerequestupdates.xml", new FormUrlEncodedContent(form));
        var again = await fx.Client.PostAsync("servicerequestupdates.xml", new FormUrlEncodedContent(form));

        ((int)first.StatusCode).ShouldBe(200, await first.Content.ReadAsStringAsync());
        ((int)again.StatusCode).ShouldBe(200);
        (await CaseAsync(reference)).Status.ShouldBe(CaseStatus.Fixed);
        await using (var scope = fx.Factory.ScopeFor(fx.Org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.CaseUpdates.AsNoTracking().CountAsync(u => u.ExternalUpdateId == "bo-" + reference)).ShouldBe(1);
        }

        var updates = XDocument.Parse(await fx.Client.GetStringAsync($"servicerequestupdates.xml?{J}")).Root!.Elements("request_update")
            .Where(u => u.Element("service_request_id")!.Value == reference).ToList();
        var fixedUpdate = updates.ShouldHaveSingleItem();
        fixedUpdate.Element("status")!.Value.ShouldBe("FIXED");
        fixedUpdate.Element("update_id")!.Value.ShouldBe("bo-" + reference);
        fixedUpdate.Element("external_status_code")!.Value.ShouldBe("F1");
        fixedUpdate.Element("customer_reference")!.Value.ShouldBe("fixmystreet:77");
        var list = XDocument.Parse(await fx.Client.GetStringAsync($"requests.xml?{J}&service_request_id={reference}"));
        list.Root!.Element("request")!.Element("status")!.Value.ShouldBe("closed");
        list.Root!.Element("request")!.Element("status_notes")!.Value.ShouldBe("Filled today");
    }

    [Fact]
    public async Task A_citizens_comment_relayed_by_fixmystreet_is_a_staff_note_that_does_not_close_the_case()
    {
        var reference = await CreateAsync();
        var form = new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Open311CaseFixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_request_id"] = reference, ["update_id"] = "fms-c-" + reference,
            ["status"] = "CLOSED", ["updated_datetime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz"), ["description"] = "It is getting worse",
            ["email"] = "ada@example.org", ["first_name"] = "Ada", ["last_name"] = "-",
        };

        var response = await fx.Client.PostAsync("servicerequestupdates.xml", new FormUrlEncodedContent(form));

        ((int)response.StatusCode).ShouldBe(200);
        (await CaseAsync(reference)).Status.ShouldBe(CaseStatus.Open);
        var updates = await fx.Client.GetStringAsync($"servicerequestupdates.xml?{J}");
        updates.ShouldNotContain("It is getting worse"); // a note for staff, not a public update
    }
}
