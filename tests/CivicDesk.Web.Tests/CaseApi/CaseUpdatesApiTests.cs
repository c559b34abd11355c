using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Tests.Open311;

namespace CivicDesk.Web.Tests.CaseApi;

/// <summary>POST /api/v1/cases/{reference}/updates: integration key, ProblemDetails errors, idempotent on updateId.</summary>
public sealed class CaseUpdatesApiTests(Open311Fixture fx) : IClassFixture<Open311Fixture>
{
    private async Task<string> CaseReferenceAsync()
    {
        var (_, body, _) = await fx.PostAsync("requests.json", fx.CreateForm());
        return JsonDocument.Parse(body).RootElement[0].GetProperty("service_request_id").GetString()!;
    }

    private async Task<HttpResponseMessage> PostAsync(string reference, object body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cases/{reference}/updates") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await fx.Client.SendAsync(request);
    }

    [Fact]
    public async Task The_same_update_id_is_applied_once()
    {
        var reference = await CaseReferenceAsync();
        var update = new { updateId = "crm-" + Guid.NewGuid().ToString("N")[..8], status = "action_scheduled", description = "Repair booked for Tuesday", externalStatusCode = "AS1" };

        var first = await PostAsync(reference, update, fx.ApiKey);
        var again = await PostAsync(reference, update, fx.ApiKey);

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetBoolean().ShouldBeTrue();
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetBoolean().ShouldBeFalse();
        var stored = fx.Cases.Updates.Where(u => u.UpdateId == update.updateId).ShouldHaveSingleItem();
        stored.Status.ShouldBe(Open311Status.ActionScheduled);
        stored.ExternalStatusCode.ShouldBe("AS1");
        stored.Source.ShouldBe("api:FixMyStreet");
    }

    [Fact]
    public async Task Errors_are_problem_details()
    {
        var reference = await CaseReferenceAsync();

        var noKey = await PostAsync(reference, new { updateId = "x", status = "fixed" }, null);
        noKey.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        noKey.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        var wrongKey = await PostAsync(reference, new { updateId = "x", status = "fixed" }, "cdk_wrong");
        wrongKey.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var invalid = await PostAsync(reference, new { status = "mended" }, fx.ApiKey);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty("updateId", out _).ShouldBeTrue();
        problem.GetProperty("errors").TryGetProperty("status", out _).ShouldBeTrue();

        var unknown = await PostAsync("CS-NOPE", new { updateId = "y", status = "fixed" }, fx.ApiKey);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
