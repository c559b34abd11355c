using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Map;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Open311;

/// <summary>
/// The Open311 GeoReport v2 server under <c>/open311/v2/</c> with mySociety's servicerequestupdates extension, in XML
/// and JSON by suffix. Every answer, errors included, is in the requested format (XML when the suffix is unknown), so
/// FixMyStreet's client can parse each one. docs/open311.md lists the endpoints and every error.
/// </summary>
public static class Open311Api
{
    public const string Base = "/open311/v2";

    public static IEndpointRouteBuilder MapOpen311(this IEndpointRouteBuilder app)
    {
        var open311 = app.MapGroup("/open311").WithTags("Open311")
            .RequireRateLimiting(Open311Feature.RateLimit)
            .AddEndpointFilter(CatchFailures)
            .DisableAntiforgery()
            // GeoReport v2 is public by design; writes check the client's api_key in the handler.
            .AllowAnonymous();
        open311.MapGet("/discovery.{format}", GetDiscovery)
            .Describe<Open311DiscoverySchema>("Open311Discovery", "Discovery: where this GeoReport v2 server is and what it speaks (also at /open311/v2/discovery)");
        var v2 = open311.MapGroup("/v2");
        v2.MapGet("/discovery.{format}", GetDiscovery)
            .Describe<Open311DiscoverySchema>("Open311DiscoveryV2", "Discovery, under the versioned base URL");
        v2.MapGet("/services.{format}", GetServicesAsync)
            .Describe<IReadOnlyList<Open311ServiceSchema>>("Open311Services", "The organisation's services (one per case service; groups are its teams)", 400, 404)
            .DescribesJurisdiction();
        v2.MapGet("/services/{code}.{format}", GetServiceDefinitionAsync)
            .Describe<Open311ServiceDefinitionSchema>("Open311ServiceDefinition", "A service's definition: the extra questions its reports answer", 400, 404)
            .DescribesJurisdiction();
        v2.MapPost("/requests.{format}", PostRequestAsync)
            .Describe<IReadOnlyList<Open311CreatedSchema>>("Open311PostRequest",
                "Report a problem: creates a case (with up to 3 photos when multipart); answers its id, or a token to poll", 400, 403, 404, 413)
            .DescribesBody<RouteHandlerBuilder, Open311RequestForm>("GeoReport v2 form fields; attribute[code]=value answers the service's questions.",
                "application/x-www-form-urlencoded", "multipart/form-data")
            .RequiresApiKey(ApiDescriptions.Open311KeyScheme);
        v2.MapGet("/requests.{format}", GetRequestsAsync)
            .Describe<IReadOnlyList<Open311RequestSchema>>("Open311Requests",
                "Search requests (the last 90 days by default); the public sees reporters' text only once staff reviewed it", 400, 403, 404)
            .DescribesJurisdiction()
            .DescribesQuery("service_request_id", "Comma-separated ids; when given, the other filters are ignored")
            .DescribesQuery("service_code", "Comma-separated service codes")
            .DescribesQuery("start_date", "W3C datetime; default 90 days before end_date", format: "date-time")
            .DescribesQuery("end_date", "W3C datetime; default now; at most 90 days after start_date", format: "date-time")
            .DescribesQuery("status", "open, closed, or open,closed")
            .DescribesQuery("max_requests", "At most this many (at most Open311:MaxRequests, 1,000)", type: Microsoft.OpenApi.JsonSchemaType.Integer)
            .RequiresApiKey(ApiDescriptions.Open311KeyScheme, optional: true);
        v2.MapGet("/requests/{id}.{format}", GetRequestAsync)
            .Describe<IReadOnlyList<Open311RequestSchema>>("Open311Request", "One request by its service_request_id (a list of one, as the specification says)", 400, 403, 404)
            .DescribesJurisdiction()
            .RequiresApiKey(ApiDescriptions.Open311KeyScheme, optional: true);
        v2.MapGet("/tokens/{token}.{format}", GetTokenAsync)
            .Describe<IReadOnlyList<Open311TokenSchema>>("Open311Token", "The request a token (from POST requests) turned into", 400, 404)
            .DescribesJurisdiction();
        v2.MapGet("/servicerequestupdates.{format}", GetUpdatesAsync)
            .Describe<IReadOnlyList<Open311UpdateSchema>>("Open311Updates", "Updates to requests in a window (mySociety; the last 24 hours by default)", 400, 403, 404)
            .DescribesJurisdiction()
            .DescribesQuery("start_date", "W3C datetime; default 24 hours before end_date", format: "date-time")
            .DescribesQuery("end_date", "W3C datetime; default now", format: "date-time")
            .RequiresApiKey(ApiDescriptions.Open311KeyScheme, optional: true);
        v2.MapPost("/servicerequestupdates.{format}", PostUpdateAsync)
            .Describe<IReadOnlyList<Open311UpdateCreatedSchema>>("Open311PostUpdate", "Add an update to a request (mySociety); the same update_id twice is applied once",
                400, 403, 404, 413)
            .DescribesBody<RouteHandlerBuilder, Open311UpdateForm>("mySociety servicerequestupdates form fields.", "application/x-www-form-urlencoded", "multipart/form-data")
            .RequiresApiKey(ApiDescriptions.Open311KeyScheme);
        // Anything else under /open311 (a wrong path, a missing trailing slash in a client's base URL) still gets the
        // spec's error document, which FixMyStreet logs, instead of an HTML page.
        open311.Map("/{**rest}", (HttpContext http) =>
            Open311Result.Failure(FormatOf(http.Request.Path), Open311Failure.NotFound(
                $"No Open311 method at {http.Request.Path}: the base URL is {Base}/ (with the trailing slash), e.g. {Base}/services.xml")))
            // Not a method: the error answer for paths that are not one.
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The OpenAPI description of one GeoReport v2 method: its answer in both formats, its error documents (every call
    /// may also meet 429 and 500), and the {format} suffix.
    /// </summary>
    private static RouteHandlerBuilder Describe<T>(this RouteHandlerBuilder builder, string name, string summary, params int[] errors)
    {
        builder.WithName(name).WithSummary(summary)
            .Produces<T>(StatusCodes.Status200OK, "application/json", "text/xml")
            .DescribesRouteValues("format", "Answer format: xml or json (errors come back in the same format).", "xml", "json");
        foreach (var status in errors.Append(StatusCodes.Status429TooManyRequests).Append(StatusCodes.Status500InternalServerError).Distinct())
        {
            builder.Produces<IReadOnlyList<Open311Error>>(status, "application/json", "text/xml");
        }

        return builder;
    }

    private static RouteHandlerBuilder DescribesJurisdiction(this RouteHandlerBuilder builder) =>
        builder.DescribesQuery("jurisdiction_id", "The organisation's jurisdiction (Admin → Open311); may be left out while the server has only one");

    /// <summary>"xml" or "json" (case-insensitive); anything else is not one of our endpoints.</summary>
    internal static Open311Format? ParseFormat(string? format) => format?.ToLowerInvariant() switch
    {
        "xml" => Open311Format.Xml,
        "json" => Open311Format.Json,
        _ => null,
    };

    private static Open311Format FormatOf(PathString path) =>
        path.Value?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) == true ? Open311Format.Json : Open311Format.Xml;

    /// <summary>Unhandled errors become the spec's 500 error document (logged once here, no details to the caller).</summary>
    private static async ValueTask<object?> CatchFailures(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            var http = context.HttpContext;
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Open311Api))
                .LogError(e, "Open311 call {Method} {Path} failed", http.Request.Method, http.Request.Path.Value);
            return Open311Result.Failure(FormatOf(http.Request.Path), Open311Failure.ServerError());
        }
    }

    // ---- discovery and services ------------------------------------------------------------------------------------

    internal static IResult GetDiscovery(string format, HttpContext http, IHostEnvironment environment, IOptions<Open311Options> options)
    {
        if (ParseFormat(format) is not { } f)
        {
            return UnknownFormat(format);
        }

        var root = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{Base}/";
        var doc = new Open311Record
        {
            // The changeset is the date of the last change to what this server offers (formats, endpoints).
            { "changeset", Open311Writer.Datetime(Open311Feature.Changeset) },
            { "contact", "Your council's CivicDesk administrator; see /open311/v2/ and docs/open311.md" },
            { "key_service", options.Value.KeyService },
            { "endpoints", new Open311List("endpoint", [
                new Open311Record
                {
                    { "specification", "http://wiki.open311.org/GeoReport_v2" },
                    { "url", root },
                    { "changeset", Open311Writer.Datetime(Open311Feature.Changeset) },
                    { "type", environment.IsProduction() ? "production" : "test" },
                    { "formats", new Open311Values("format", ["text/xml", "application/json"]) },
                },
            ]) },
        };
        return Open311Result.Ok(f, Open311Writer.Document(f, "discovery", doc));
    }

    internal static async Task<IResult> GetServicesAsync(string format, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases, CivicDeskDb db,
        ReferenceData reference, CancellationToken ct)
    {
        if (ParseFormat(format) is not { } f)
        {
            return UnknownFormat(format);
        }

        var p = new Open311Parameters(null, http.Request.Query);
        if (await TenantAsync(p, directory, ct) is not { } tenant)
        {
            return Open311Result.Failure(f, await TenantFailureAsync(p, directory, ct));
        }

        var services = await cases.ServicesAsync(tenant.OrganisationId, ct);
        var withDefinitions = await DefinitionsAsync(reference, db, tenant.OrganisationId, ct);
        var records = services.Select(s => new Open311Record
        {
            { "service_code", s.Code },
            { "service_name", s.Name },
            { "description", s.Description },
            { "metadata", withDefinitions.Contains(s.Code) },
            { "type", "realtime" },
            { "keywords", s.Keywords },
            { "group", s.Group },
        });
        return Open311Result.Ok(f, Open311Writer.List(f, "services", "service", records));
    }

    internal static async Task<IResult> GetServiceDefinitionAsync(string code, string format, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases,
        CivicDeskDb db, ReferenceData reference, CancellationToken ct)
    {
        if (ParseFormat(format) is not { } f)
        {
            return UnknownFormat(format);
        }

        var p = new Open311Parameters(null, http.Request.Query);
        if (await TenantAsync(p, directory, ct) is not { } tenant)
        {
            return Open311Result.Failure(f, await TenantFailureAsync(p, directory, ct));
        }

        var services = await cases.ServicesAsync(tenant.OrganisationId, ct);
        if (!services.Any(s => s.Code == code))
        {
            return Open311Result.Failure(f, Open311Failure.NotFound($"service_code {code} was not found"));
        }

        var attributes = await AttributesAsync(reference, db, tenant.OrganisationId, code, ct);
        var doc = new Open311Record
        {
            { "service_code", code },
            { "attributes", new Open311List("attribute", attributes.Select(a => new Open311Record
            {
                { "variable", a.Variable },
                { "code", a.Code },
                { "datatype", a.Datatype.Name() },
                { "required", a.Required },
                { "datatype_description", a.DatatypeDescription },
                { "order", a.Order },
                { "description", a.Description },
                { "values", new Open311List("value", a.Values.Select(v => new Open311Record { { "key", v.Key }, { "name", v.Name } }).ToList()) },
            }).ToList()) },
        };
        return Open311Result.Ok(f, Open311Writer.Document(f, "service_definition", doc));
    }

    /// <summary>A service's questions, in order: from the organisation's definitions, cached per node (<see cref="ReferenceData"/>).</summary>
    private static async Task<IReadOnlyList<Open311ServiceAttribute>> AttributesAsync(ReferenceData reference, CivicDeskDb db, long organisationId, string code, CancellationToken ct) =>
        [.. (await DefinitionsAsync(reference, db, organisationId, ct))[code]];

    /// <summary>
    /// Every service definition of the organisation by service code, read once per <see cref="ReferenceDataOptions.CacheSeconds"/>
    /// and dropped when one is saved on this node. Shared between calls: read them, never change them.
    /// </summary>
    private static Task<ILookup<string, Open311ServiceAttribute>> DefinitionsAsync(ReferenceData reference, CivicDeskDb db, long organisationId, CancellationToken ct) =>
        reference.GetAsync("open311-definitions:" + organisationId.ToString(CultureInfo.InvariantCulture), async c =>
            (await db.Open311ServiceAttributes.IgnoreQueryFilters().AsNoTracking()
                .Where(a => a.OrganisationId == organisationId)
                .OrderBy(a => a.Order).ThenBy(a => a.Code).ToListAsync(c))
            .ToLookup(a => a.ServiceCode, StringComparer.Ordinal), ct);

    // ---- requests ----------------------------------------------------------------------------------------------------

    internal static async Task<IResult> PostRequestAsync(string format, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases, CivicDeskDb db,
        ReferenceData reference, PhotoStore photos, IOptions<Open311Options> options, CancellationToken ct)
    {
        var (post, failure) = await ReadPostAsync(format, http, directory, options.Value, ct);
        if (failure is not null)
        {
            return failure;
        }

        var (f, form, p, tenant, caller) = post!;

        var serviceCode = p["service_code"]?.Trim();
        if (serviceCode is null)
        {
            return Open311Result.Failure(f, Open311Failure.BadRequest("service_code is required"));
        }

        if (!await cases.HasServiceAsync(tenant!.OrganisationId, serviceCode, ct))
        {
            return Open311Result.Failure(f, Open311Failure.NotFound($"service_code {serviceCode} was not found"));
        }

        var definition = await AttributesAsync(reference, db, tenant.OrganisationId, serviceCode, ct);
        var (request, problems) = Open311RequestValidator.Validate(p, tenant.OrganisationId, caller!.Name, serviceCode, definition);
        var files = form?.Files ?? (IReadOnlyList<IFormFile>)[];
        if (files.Count > PhotoStore.MaxFiles)
        {
            problems.Add($"Send at most {PhotoStore.MaxFiles} photos");
        }

        var kinds = new List<(IFormFile File, PhotoKind Kind)>();
        foreach (var file in files.Take(PhotoStore.MaxFiles))
        {
            var (kind, error) = await PhotoStore.CheckAsync(file, ct);
            if (kind is null)
            {
                problems.Add($"{file.Name}: {error}");
            }
            else
            {
                kinds.Add((file, kind));
            }
        }

        if (problems.Count > 0)
        {
            return Open311Result.Failure(f, Open311Failure.BadRequest([.. problems]));
        }

        var saved = new List<AttachmentInfo>();
        try
        {
            foreach (var (file, kind) in kinds)
            {
                saved.Add(await photos.SaveAsync(tenant.OrganisationId, file, kind, ct));
            }

            var created = await cases.CreateAsync(request! with { Photos = saved }, ct);
            if (created.Error is { } refused)
            {
                photos.Delete(tenant.OrganisationId, saved);
                return Open311Result.Failure(f, Open311Failure.BadRequest(refused));
            }

            var answer = tenant.AnswerWithToken
                ? new Open311Record { { "token", created.Token }, { "service_notice", null }, { "account_id", request!.AccountId } }
                : new Open311Record { { "service_request_id", created.ServiceRequestId }, { "service_notice", null }, { "account_id", request!.AccountId } };
            return Open311Result.Ok(f, Open311Writer.List(f, "service_requests", "request", [answer]));
        }
        catch
        {
            photos.Delete(tenant.OrganisationId, saved);
            throw;
        }
    }

    internal static async Task<IResult> GetRequestsAsync(string format, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases, TimeProvider clock,
        IOptions<Open311Options> options, IOptions<MapOptions> map, CancellationToken ct)
    {
        if (ParseFormat(format) is not { } f)
        {
            return UnknownFormat(format);
        }

        var p = new Open311Parameters(null, http.Request.Query);
        if (await TenantAsync(p, directory, ct) is not { } tenant)
        {
            return Open311Result.Failure(f, await TenantFailureAsync(p, directory, ct));
        }

        var (query, failure) = Open311RequestValidator.Query(p, clock.GetUtcNow().UtcDateTime, options.Value);
        if (failure is not null)
        {
            return Open311Result.Failure(f, failure);
        }

        if (await TrustedCallerAsync(p, tenant, directory, ct) is not { } trusted)
        {
            return Open311Result.Failure(f, Open311Failure.Forbidden("api_key is not valid for this jurisdiction_id"));
        }

        var found = await cases.FindAsync(tenant.OrganisationId, query!, ct);
        var decimals = map.Value.PublicLocationDecimals;
        return Open311Result.Ok(f, Open311Writer.List(f, "service_requests", "request", found.Select(r => RequestRecord(ForCaller(r, trusted, decimals), tenant.TimeZone))));
    }

    internal static async Task<IResult> GetRequestAsync(string id, string format, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases,
        IOptions<Open311Options> options, IOptions<MapOptions> map, CancellationToken ct)
    {
        if (ParseFormat(format) is not { } f)
        {
            return UnknownFormat(format);
        }

        var p = new Open311Parameters(null, http.Request.Query);
        if (await TenantAsync(p, directory, ct) is not { } tenant)
        {
            return Open311Result.Failure(f, await TenantFailureAsync(p, directory, ct));
        }

        if (await TrustedCallerAsync(p, tenant, directory, ct) is not { } trusted)
        {
            return Open311Result.Failure(f, Open311Failure.Forbidden("api_key is not valid for this jurisdiction_id"));
        }

        var found = await cases.FindAsync(tenant.OrganisationId, new ServiceRequestQuery([id], null, DateTime.MinValue, DateTime.MaxValue, null, 1), ct);
        var decimals = map.Value.PublicLocationDecimals;
        return found.Count == 0
            ? Open311Result.Failure(f, Open311Failure.NotFound($"service_request_id {id} was not found"))
            : Open311Result.Ok(f, Open311Writer.List(f, "service_requests", "request", found.Select(r => RequestRecord(ForCaller(r, trusted, decimals), tenant.TimeZone))));
    }

    internal static async Task<IResult> GetTokenAsync(string token, string format, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases, CancellationToken ct)
    {
        if (ParseFormat(format) is not { } f)
        {
            return UnknownFormat(format);
        }

        var p = new Open311Parameters(null, http.Request.Query);
        if (await TenantAsync(p, directory, ct) is not { } tenant)
        {
            return Open311Result.Failure(f, await TenantFailureAsync(p, directory, ct));
        }

        return await cases.FindTokenAsync(tenant.OrganisationId, token, ct) is { } found
            ? Open311Result.Ok(f, Open311Writer.List(f, "service_requests", "request",
                [new Open311Record { { "service_request_id", found.ServiceRequestId }, { "token", found.Token } }]))
            : Open311Result.Failure(f, Open311Failure.NotFound($"token {token} was not found"));
    }

    /// <summary>
    /// True for a caller holding a valid client key for this jurisdiction (an integration the organisation trusts with
    /// reporters' words, e.g. FixMyStreet reading back what it sent), false for the public; null when a key was sent but
    /// is not valid here (answered 403, as on servicerequestupdates).
    /// </summary>
    private static async ValueTask<bool?> TrustedCallerAsync(Open311Parameters p, Open311Tenant tenant, Open311Directory directory, CancellationToken ct)
    {
        if (p["api_key"]?.Trim() is not { Length: > 0 } key)
        {
            return false;
        }

        return await directory.FindCallerAsync(key, ct) is { } caller && caller.OrganisationId == tenant.OrganisationId ? true : null;
    }

    /// <summary>
    /// What the public may see of a request: the reporter's free text and address only once staff have reviewed them for
    /// publication, and the point rounded as on the public map (about 110 m), so GET requests cannot be used to find
    /// a reporter's home. Trusted callers see the request as stored.
    /// </summary>
    internal static ServiceRequestView ForCaller(ServiceRequestView r, bool trusted, int decimals) => trusted ? r : r with
    {
        Description = r.TextIsPublic ? r.Description : null,
        Address = r.TextIsPublic ? r.Address : null,
        AddressId = r.TextIsPublic ? r.AddressId : null,
        Latitude = r.Latitude is { } lat ? Math.Round(lat, decimals) : null,
        Longitude = r.Longitude is { } lon ? Math.Round(lon, decimals) : null,
        // Photos are the reporter's too (faces, number plates, house fronts).
        MediaUrl = r.TextIsPublic ? r.MediaUrl : null,
    };

    private static Open311Record RequestRecord(ServiceRequestView r, TimeZoneInfo zone) => new()
    {
        { "service_request_id", r.ServiceRequestId },
        { "status", r.IsOpen ? "open" : "closed" },
        { "status_notes", r.StatusNotes },
        { "service_name", r.ServiceName },
        { "service_code", r.ServiceCode },
        { "description", r.Description },
        { "agency_responsible", r.AgencyResponsible },
        { "service_notice", r.ServiceNotice },
        { "requested_datetime", Local(r.RequestedAt, zone) },
        { "updated_datetime", Local(r.UpdatedAt, zone) },
        { "expected_datetime", Local(r.ExpectedAt, zone) },
        { "address", r.Address },
        { "address_id", r.AddressId },
        { "zipcode", r.Zipcode },
        { "lat", r.Latitude },
        { "long", r.Longitude },
        { "media_url", r.MediaUrl },
    };

    internal static DateTimeOffset? Local(DateTime? utc, TimeZoneInfo zone)
    {
        if (utc is not { } value)
        {
            return null;
        }

        var at = DateTime.SpecifyKind(value, DateTimeKind.Utc);
        return new DateTimeOffset(at).ToOffset(zone.GetUtcOffset(at));
    }

    // ---- servicerequestupdates (mySociety) ---------------------------------------------------------------------------

    internal static async Task<IResult> GetUpdatesAsync(string format, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases, TimeProvider clock,
        IOptions<Open311Options> options, CancellationToken ct)
    {
        if (ParseFormat(format) is not { } f)
        {
            return UnknownFormat(format);
        }

        var p = new Open311Parameters(null, http.Request.Query);
        if (await TenantAsync(p, directory, ct) is not { } tenant)
        {
            return Open311Result.Failure(f, await TenantFailureAsync(p, directory, ct));
        }

        // FixMyStreet sends its api_key on this GET too: a key that is sent must be a valid one for this jurisdiction.
        if (p["api_key"] is { } key && (await directory.FindCallerAsync(key, ct) is not { } caller || caller.OrganisationId != tenant.OrganisationId))
        {
            return Open311Result.Failure(f, Open311Failure.Forbidden("api_key is not valid for this jurisdiction_id"));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var (from, to, failure) = Open311RequestValidator.Window(p, now, TimeSpan.FromHours(options.Value.DefaultUpdatesWindowHours), TimeSpan.FromDays(options.Value.DefaultWindowDays));
        if (failure is not null)
        {
            return Open311Result.Failure(f, failure);
        }

        var updates = await cases.UpdatesAsync(tenant.OrganisationId, from, to, options.Value.MaxRequests, ct);
        return Open311Result.Ok(f, Open311Writer.List(f, "service_requests_updates", "request_update", updates.Select(u => new Open311Record
        {
            { "update_id", u.UpdateId },
            { "service_request_id", u.ServiceRequestId },
            { "status", Open311Statuses.Name(u.Status) },
            { "updated_datetime", Local(u.UpdatedAt, tenant.TimeZone) },
            { "description", u.Description },
            { "media_url", u.MediaUrl },
            { "external_status_code", u.ExternalStatusCode },
            { "customer_reference", u.CustomerReference },
        })));
    }

    internal static async Task<IResult> PostUpdateAsync(string format, HttpContext http, Open311Directory directory, [FromServices] IOpen311Cases cases,
        IOptions<Open311Options> options, CancellationToken ct)
    {
        var (post, failure) = await ReadPostAsync(format, http, directory, options.Value, ct);
        if (failure is not null)
        {
            return failure;
        }

        var (f, form, p, tenant, caller) = post!;

        var (update, problems) = Open311RequestValidator.Update(p, tenant!.OrganisationId, "open311:" + caller!.Name);
        if (problems.Count > 0)
        {
            return Open311Result.Failure(f, Open311Failure.BadRequest([.. problems]));
        }

        var result = await cases.ApplyUpdateAsync(update!, ct);
        if (result.Outcome == InboundUpdateOutcome.UnknownRequest)
        {
            return Open311Result.Failure(f, Open311Failure.NotFound($"service_request_id {update!.ServiceRequestId} was not found"));
        }

        if (result.Outcome == InboundUpdateOutcome.Rejected)
        {
            return Open311Result.Failure(f, Open311Failure.BadRequest(result.Error ?? "The update could not be applied"));
        }

        return Open311Result.Ok(f, Open311Writer.List(f, "service_request_updates", "request_update",
            [new Open311Record { { "update_id", result.UpdateId } }]));
    }

    // ---- shared steps ------------------------------------------------------------------------------------------------

    private static Open311Result UnknownFormat(string format) =>
        Open311Result.Failure(Open311Format.Xml, Open311Failure.NotFound($"Format {format} is not offered: use .xml or .json"));

    private static async Task<Open311Tenant?> TenantAsync(Open311Parameters p, Open311Directory directory, CancellationToken ct) =>
        (await directory.FindTenantAsync(p["jurisdiction_id"]?.Trim(), ct)).Tenant;

    private static async Task<Open311Failure> TenantFailureAsync(Open311Parameters p, Open311Directory directory, CancellationToken ct)
    {
        var id = p["jurisdiction_id"]?.Trim();
        var (_, ambiguous) = await directory.FindTenantAsync(id, ct);
        return id is null
            ? ambiguous ? Open311Failure.BadRequest("jurisdiction_id is required") : Open311Failure.NotFound("No Open311 jurisdiction is set up here")
            : Open311Failure.NotFound($"jurisdiction_id {id} was not found");
    }

    /// <summary>Jurisdiction, then key: 400/404 for the jurisdiction as on GETs, 403 for a missing or wrong key.</summary>
    private sealed record Open311Post(Open311Format Format, IFormCollection? Form, Open311Parameters Parameters, Open311Tenant? Tenant, Open311Caller? Caller);

    /// <summary>What every POST starts with: the format from the suffix, the form body, and the caller's key and jurisdiction.</summary>
    private static async Task<(Open311Post? Post, IResult? Failure)> ReadPostAsync(string format, HttpContext http, Open311Directory directory,
        Open311Options options, CancellationToken ct)
    {
        if (ParseFormat(format) is not { } f)
        {
            return (null, UnknownFormat(format));
        }

        var (form, formFailure) = await ReadFormAsync(http, options, ct);
        if (formFailure is not null)
        {
            return (null, Open311Result.Failure(f, formFailure));
        }

        var p = new Open311Parameters(form, http.Request.Query);
        var (tenant, caller, authFailure) = await AuthenticateAsync(p, directory, ct);
        return authFailure is not null ? (null, Open311Result.Failure(f, authFailure)) : (new Open311Post(f, form, p, tenant, caller), null);
    }

    private static async Task<(Open311Tenant? Tenant, Open311Caller? Caller, Open311Failure? Failure)> AuthenticateAsync(Open311Parameters p, Open311Directory directory,
        CancellationToken ct)
    {
        if (await TenantAsync(p, directory, ct) is not { } tenant)
        {
            return (null, null, await TenantFailureAsync(p, directory, ct));
        }

        if (p["api_key"]?.Trim() is not { } key)
        {
            return (tenant, null, Open311Failure.Forbidden("api_key is required"));
        }

        if (await directory.FindCallerAsync(key, ct) is not { } caller || caller.OrganisationId != tenant.OrganisationId)
        {
            return (tenant, null, Open311Failure.Forbidden("api_key is not valid for this jurisdiction_id"));
        }

        return (tenant, caller, null);
    }

    /// <summary>
    /// Reads an url-encoded or multipart body within the size limits. Other content types: 400 (the spec's POSTs are forms).
    /// </summary>
    private static async Task<(IFormCollection? Form, Open311Failure? Failure)> ReadFormAsync(HttpContext http, Open311Options options, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
        {
            return (null, Open311Failure.BadRequest("Send the parameters as application/x-www-form-urlencoded or multipart/form-data"));
        }

        var multipart = http.Request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true;
        var limit = multipart ? options.MaxMultipartBytes : options.MaxFormBytes;
        if (http.Request.ContentLength > limit)
        {
            http.Response.Headers.Connection = "close";
            return (null, Open311Failure.TooLarge($"The request body may be at most {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes"));
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        try
        {
            var form = await http.Request.ReadFormAsync(new FormOptions
            {
                ValueLengthLimit = options.MaxFormBytes,
                MultipartBodyLengthLimit = options.MaxMultipartBytes,
                ValueCountLimit = 256,
            }, ct);
            return (form, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            http.Response.Headers.Connection = "close";
            return (null, Open311Failure.TooLarge($"The request body may be at most {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes"));
        }
        catch (InvalidDataException)
        {
            return (null, Open311Failure.BadRequest("The form body could not be read"));
        }
    }
}
