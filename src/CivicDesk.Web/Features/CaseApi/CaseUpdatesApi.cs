using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CivicDesk.Web.Features.CaseApi;

/// <summary>
/// <c>POST /api/v1/cases/{reference}/updates</c>: a back office reports progress on a case in JSON.
/// <para>
/// Authentication: header <c>X-Api-Key</c> = an integration (Open311 client) key from /admin/open311; the key decides
/// the organisation. Missing or unknown: 401.
/// </para>
/// <para>
/// Body: <c>{"updateId", "status", "description"?, "updatedAt"?, "externalStatusCode"?, "mediaUrl"?}</c>. status is an
/// Open311 or mySociety extended status (open, closed, in_progress, action_scheduled, fixed, …). updateId is the
/// sender's id for this update: sending the same one again changes nothing and answers 200 with <c>applied: false</c>.
/// Answers 201 with <c>applied: true</c> the first time; 400 (validation problem) for bad fields; 404 for an
/// unknown reference.
/// </para>
/// </summary>
public static class CaseUpdatesApi
{
    public static RouteGroupBuilder MapCaseUpdatesApi(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/v1/cases").WithTags("Cases").RequireRateLimiting(PlatformFeature.IngestRateLimit)
            // Back-office systems authenticate with their X-Api-Key, checked in the handler, not with a staff cookie.
            .AllowAnonymous();
        cases.MapPost("/{reference}/updates", PostUpdateAsync)
            .WithName("PostCaseUpdate")
            .WithSummary("Report a back office's progress on a case")
            .WithDescription(
                "Moves the case to an Open311 or mySociety extended status and records the update on its timeline; a public update " +
                "reaches every reporter on their own channel. `updateId` is the sender's id for this update: the first time answers " +
                "201 with `applied: true`, the same id again changes nothing and answers 200 with `applied: false`.")
            .RequiresApiKey()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return cases;
    }

    /// <summary>A back office's update; only updateId and status are required (the OpenAPI document says so too).</summary>
    public sealed record CaseUpdateRequest
    {
        /// <summary>The sender's id for this update: the same id again changes nothing.</summary>
        [Required, StringLength(200, MinimumLength = 1)] public string? UpdateId { get; init; }

        /// <summary>An Open311 or extended status: open, closed, investigating, in_progress, action_scheduled, fixed, duplicate, …</summary>
        [Required] public string? Status { get; init; }

        /// <summary>Public text of the update.</summary>
        [StringLength(4000)] public string? Description { get; init; }

        /// <summary>When it happened; now when absent.</summary>
        public DateTimeOffset? UpdatedAt { get; init; }

        /// <summary>The back office's own status code.</summary>
        [StringLength(100)] public string? ExternalStatusCode { get; init; }

        /// <summary>A photo of the work, as an absolute URL.</summary>
        [StringLength(2000), Url] public string? MediaUrl { get; init; }
    }

    public sealed record CaseUpdateResponse(string Reference, string UpdateId, bool Applied);

    internal static async Task<Results<Created<CaseUpdateResponse>, Ok<CaseUpdateResponse>, ValidationProblem, ProblemHttpResult>> PostUpdateAsync(
        string reference, [FromBody] CaseUpdateRequest? body, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases,
        TimeProvider clock, CancellationToken ct)
    {
        var key = http.Request.Headers[IngestionApi.ApiKeyHeader].ToString().Trim();
        if (key.Length == 0 || await directory.FindCallerAsync(key, ct) is not { } caller)
        {
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{IngestionApi.ApiKeyHeader}\"";
            return TypedResults.Problem(key.Length == 0 ? $"Send an integration key in the {IngestionApi.ApiKeyHeader} header." : "No integration client has this key.",
                statusCode: StatusCodes.Status401Unauthorized, title: key.Length == 0 ? "Missing API key" : "Unknown API key");
        }

        var errors = new Dictionary<string, string[]>();
        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send a JSON object with updateId and status."] });
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(body, new ValidationContext(body), results, validateAllProperties: true);
        foreach (var r in results)
        {
            foreach (var member in r.MemberNames.DefaultIfEmpty(""))
            {
                errors[JsonName(member)] = [r.ErrorMessage ?? "Invalid"];
            }
        }

        var status = Open311Statuses.Parse(body.Status);
        if (body.Status is not null && status is null)
        {
            errors["status"] = ["Use an Open311 or extended status: open, closed, investigating, in_progress, action_scheduled, fixed, duplicate, " +
                                "not_councils_responsibility, no_further_action, internal_referral, reopen."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The update could not be applied");
        }

        var result = await cases.ApplyUpdateAsync(new InboundUpdate(caller.OrganisationId, "api:" + caller.Name, reference.Trim(), body.UpdateId!.Trim(), status!.Value,
            (body.UpdatedAt ?? clock.GetUtcNow()).UtcDateTime, body.Description, body.MediaUrl, body.ExternalStatusCode, null, null, null), ct);
        return result.Outcome switch
        {
            InboundUpdateOutcome.UnknownRequest => TypedResults.Problem($"No case has the reference {reference}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown case"),
            InboundUpdateOutcome.Rejected => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [result.Error ?? "The update could not be applied."] },
                title: "The update could not be applied"),
            InboundUpdateOutcome.AlreadyApplied => TypedResults.Ok(new CaseUpdateResponse(reference, body.UpdateId.Trim(), false)),
            _ => TypedResults.Created($"/api/v1/cases/{reference}", new CaseUpdateResponse(reference, body.UpdateId.Trim(), true)),
        };
    }

    private static string JsonName(string member) => member.Length == 0 ? "body" : char.ToLowerInvariant(member[0]) + member[1..];
}
