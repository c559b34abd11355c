using System.Globalization;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// <c>/api/v1/demand</c>: contact-centre demand (calls per day and service) from a telephony or CRM system, for the
/// channel-shift analysis (docs/api.md). <c>POST</c> takes a JSON array of rows or the CSV of the import page and
/// stores all of it or none of it, through the same <see cref="DemandValidator"/> and
/// <see cref="ChannelShift.ImportAsync"/> as the page; <c>GET</c> reads a range back.
/// <para>
/// Authentication: header <c>X-Api-Key</c> = an integration (Open311 client) key with the <c>demand</c> scope
/// (/admin/open311). Missing or unknown key: 401; a key without the scope: 403.
/// </para>
/// </summary>
public static class DemandApi
{
    public const string Path = "/api/v1/demand";
    /// <summary>The longest range one GET returns.</summary>
    public const int MaxDays = 400;

    /// <summary>One day of demand for one service, as JSON.</summary>
    /// <param name="Date">The day, <c>2026-01-12</c> (or <c>12/01/2026</c>).</param>
    /// <param name="Service">The service or call reason, at most 100 characters; matched to CivicDesk categories by name.</param>
    /// <param name="Calls">Calls received that day, a whole number, 0 or more.</param>
    /// <param name="HandledMinutes">Total handling time of those calls in minutes, when known.</param>
    public sealed record DemandApiRow(string Date, string Service, int Calls, double? HandledMinutes);

    /// <summary>What a POST stored: rows new to CivicDesk, rows that replaced a stored day and service, and the dates spanned.</summary>
    public sealed record DemandImportResponse(int Added, int Replaced, int Rows, DateOnly From, DateOnly To);

    /// <summary>A GET's answer: the stored rows of the range, by date then service.</summary>
    public sealed record DemandRangeResponse(DateOnly From, DateOnly To, IReadOnlyList<DemandStoredRow> Rows);

    public sealed record DemandStoredRow(DateOnly Date, string Service, int Calls, double? HandledMinutes, DateTime ImportedAt);

    public static RouteGroupBuilder MapDemandApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).WithTags("Demand").RequireRateLimiting(PlatformFeature.IngestRateLimit)
            // Integrations authenticate with their X-Api-Key, checked in the handler, not with a staff cookie.
            .AllowAnonymous();
        group.MapPost("", PostAsync)
            .WithName("PostDemand")
            .WithSummary("Send contact-centre demand (calls per day and service)")
            .WithDescription(
                "A JSON array of `{date, service, calls, handledMinutes?}` or, with `Content-Type: text/csv`, the CSV of the channel-shift import " +
                "(header `date,service,calls[,handled_minutes]`). Every row is checked first: any problem rejects the whole batch (400, each bad " +
                "row's JSON index or CSV line and the reason) and nothing is stored. A day and service already stored is replaced. " +
                $"At most {DemandValidator.MaxRows:N0} rows and {DemandValidator.MaxBytes / 1024 / 1024} MB (413). The key needs the `demand` scope.")
            .RequiresApiKey()
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
            {
                var document = context.Document!;
                const string name = nameof(DemandApiRow);
                if (document.Components?.Schemas?.ContainsKey(name) != true)
                {
                    document.AddComponent(name, await context.GetOrCreateSchemaAsync(typeof(DemandApiRow), null, ct));
                }

                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The rows, as a JSON array or as CSV with a header row.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(name, document) } },
                        ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                };
            })
            .Produces<DemandImportResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("", GetAsync)
            .WithName("GetDemand")
            .WithSummary("Read stored contact-centre demand for a range of days")
            .WithDescription($"`from` and `to` (inclusive, `yyyy-MM-dd`, at most {MaxDays} days apart) and optionally one `service` (any case). The key needs the `demand` scope.")
            .RequiresApiKey()
            .Produces<DemandRangeResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    internal static async Task<IResult> PostAsync(HttpContext http, Open311Directory directory, CancellationToken ct)
    {
        if (await AuthoriseAsync(http, directory, ct) is { Problem: { } denied })
        {
            return denied;
        }

        var caller = (Open311Caller)http.Items[typeof(Open311Caller)]!;
        var mediaType = http.Request.ContentType is { } type && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var parsed)
            ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        var isCsv = mediaType is "text/csv" or "application/csv";
        if (!isCsv && mediaType is not ("application/json" or "text/json"))
        {
            return TypedResults.Problem("Send the rows as application/json (an array) or as text/csv.", statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type");
        }

        if (http.Request.ContentLength > DemandValidator.MaxBytes)
        {
            return TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > DemandValidator.MaxBytes)
            {
                return TooLarge();
            }
        }

        var parse = isCsv ? DemandCsv.Parse(buffer.ToArray()) : ParseJson(buffer.ToArray());
        if (!parse.Ok)
        {
            return Rejected(parse.Errors, isCsv);
        }

        var shift = http.RequestServices.GetRequiredService<ChannelShift>();
        var result = await shift.ImportAsync(parse, null, ct, importedBy: "api:" + caller.Name);
        if (!result.Ok)
        {
            return Rejected(result.Errors, isCsv);
        }

        return TypedResults.Ok(new DemandImportResponse(result.Added, result.Replaced, parse.Rows.Count, parse.Rows.Min(r => r.Date), parse.Rows.Max(r => r.Date)));
    }

    internal static async Task<IResult> GetAsync(HttpContext http, Open311Directory directory, [FromQuery] string? from, [FromQuery] string? to,
        [FromQuery] string? service, CancellationToken ct)
    {
        if (await AuthoriseAsync(http, directory, ct) is { Problem: { } denied })
        {
            return denied;
        }

        var errors = new Dictionary<string, string[]>();
        DateOnly? Day(string name, string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors[name] = [$"Give {name} as yyyy-MM-dd."];
                return null;
            }

            if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                errors[name] = [$"\"{value}\" is not a date; use yyyy-MM-dd."];
                return null;
            }

            return day;
        }

        var first = Day("from", from);
        var last = Day("to", to);
        if (first is { } f && last is { } l)
        {
            if (l < f)
            {
                errors["to"] = ["to is before from."];
            }
            else if (l.DayNumber - f.DayNumber >= MaxDays)
            {
                errors["to"] = [$"Ask for at most {MaxDays} days at a time."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The range is not valid");
        }

        var db = http.RequestServices.GetRequiredService<CivicDeskDb>();
        var query = db.ContactCentreDemand.AsNoTracking().Where(d => d.Date >= first!.Value && d.Date <= last!.Value);
        if (!string.IsNullOrWhiteSpace(service))
        {
            var upper = service.Trim().ToUpperInvariant();
#pragma warning disable CA1862 // translated to SQL upper() on both providers, as in ChannelShift
            query = query.Where(d => d.Service.ToUpper() == upper);
#pragma warning restore CA1862
        }

        var rows = (await query.Select(d => new DemandStoredRow(d.Date, d.Service, d.Calls, d.HandledMinutes, d.ImportedAt)).ToListAsync(ct))
            .OrderBy(r => r.Date).ThenBy(r => r.Service, StringComparer.OrdinalIgnoreCase).ToList();
        return TypedResults.Ok(new DemandRangeResponse(first!.Value, last!.Value, rows));
    }

    /// <summary>
    /// A JSON array of row objects, each cell handed to <see cref="DemandValidator"/> as text (numbers as written), so
    /// JSON and CSV are judged by the same rules. Property names are matched case-insensitively; others are ignored.
    /// Errors name the 0-based index; problems with the body as a whole have position -1.
    /// </summary>
    public static DemandParse ParseJson(byte[] bytes)
    {
        var (text, failed) = DemandValidator.DecodeUtf8(bytes, "body");
        if (failed is not null)
        {
            return new DemandParse([], [new DemandError(-1, failed.Errors[0].Reason)]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text!, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            return DemandValidator.Fail(-1, $"The body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return DemandValidator.Fail(-1, "The body must be a JSON array of rows: [{\"date\": \"2026-01-12\", \"service\": \"Bins\", \"calls\": 140}].");
            }

            var validator = new DemandValidator("at index");
            var index = -1;
            foreach (var row in document.RootElement.EnumerateArray())
            {
                index++;
                if (row.ValueKind != JsonValueKind.Object)
                {
                    if (!validator.Reject(index, "Each row must be an object with date, service and calls."))
                    {
                        break;
                    }

                    continue;
                }

                string Cell(params string[] names)
                {
                    foreach (var property in row.EnumerateObject())
                    {
                        if (names.Any(n => string.Equals(n, property.Name, StringComparison.OrdinalIgnoreCase)))
                        {
                            return property.Value.ValueKind switch
                            {
                                JsonValueKind.String => property.Value.GetString()!.Trim(),
                                JsonValueKind.Null or JsonValueKind.Undefined => "",
                                _ => property.Value.GetRawText(),
                            };
                        }
                    }

                    return "";
                }

                if (!validator.Add(index, Cell("date"), Cell("service", "reason"), Cell("calls"), Cell("handledMinutes", "handled_minutes")))
                {
                    break;
                }
            }

            return validator.Result(-1, "The array has no rows.");
        }
    }

    /// <summary>Checks the key and its scope, and sets the request's organisation to the key's; a problem to answer otherwise.</summary>
    private static async Task<(Open311Caller? Caller, IResult? Problem)> AuthoriseAsync(HttpContext http, Open311Directory directory, CancellationToken ct)
    {
        var key = http.Request.Headers[IngestionApi.ApiKeyHeader].ToString().Trim();
        if (key.Length == 0 || await directory.FindCallerAsync(key, ct) is not { } caller)
        {
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{IngestionApi.ApiKeyHeader}\"";
            return (null, TypedResults.Problem(key.Length == 0 ? $"Send an integration key in the {IngestionApi.ApiKeyHeader} header." : "No integration client has this key.",
                statusCode: StatusCodes.Status401Unauthorized, title: key.Length == 0 ? "Missing API key" : "Unknown API key"));
        }

        if (!caller.HasScope(IntegrationScopes.Demand))
        {
            return (caller, TypedResults.Problem($"The key of {caller.Name} may not use the demand API; an admin can allow it on /admin/open311.",
                statusCode: StatusCodes.Status403Forbidden, title: "Scope missing: demand"));
        }

        http.RequestServices.GetRequiredService<OrganisationContext>().Set(caller.OrganisationId);
        http.Items[typeof(Open311Caller)] = caller;
        return (caller, null);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooLarge() =>
        TypedResults.Problem($"Send at most {DemandValidator.MaxBytes / 1024 / 1024} MB at a time; split the data by year.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "The body is too large");

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Rejected(IReadOnlyList<DemandError> problems, bool csv)
    {
        string Key(DemandError e) => csv ? (e.Line > 0 ? $"line {e.Line}" : "body") : (e.Line >= 0 ? $"$[{e.Line}]" : "body");
        var errors = problems.Take(DemandCsv.MaxErrorsListed).GroupBy(Key).ToDictionary(g => g.Key, g => g.Select(e => e.Reason).ToArray());
        var listed = problems.Take(DemandCsv.MaxErrorsListed).Select(e => csv
            ? (object)new { line = e.Line > 0 ? e.Line : (int?)null, reason = e.Reason }
            : new { index = e.Line >= 0 ? e.Line : (int?)null, reason = e.Reason }).ToList();
        var detail = problems.Count == 1 ? "1 problem; nothing was stored. Fix it and send the whole batch again."
            : $"{problems.Count:N0} problems{(problems.Count > DemandCsv.MaxErrorsListed ? $" (the first {DemandCsv.MaxErrorsListed} listed)" : "")}; nothing was stored. Fix them and send the whole batch again.";
        return TypedResults.ValidationProblem(errors, detail, title: "Nothing was imported",
            extensions: new Dictionary<string, object?> { ["problems"] = listed, ["problemCount"] = problems.Count });
    }
}
