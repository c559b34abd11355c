using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Open311;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace CivicDesk.Web.Tests.Api;

/// <summary>
/// The published OpenAPI document (<c>/openapi/v1.json</c>) is valid OpenAPI 3.1, describes exactly the mapped machine
/// endpoints (<c>/api/v1/*</c> and Open311), names the API-key schemes the handlers check, and the Open311 schemas
/// declare every field a live answer has.
/// </summary>
public sealed partial class OpenApiDocumentTests(Open311Fixture fx) : IClassFixture<Open311Fixture>
{
    private const string Open311Jurisdiction = "jurisdiction_id=" + Open311Fixture.Jurisdiction;

    private async Task<string> DocumentAsync()
    {
        // Anonymous on purpose: integrators' tools fetch it without signing in.
        using var client = fx.Factory.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task The_document_parses_as_valid_OpenAPI_3_1()
    {
        var json = await DocumentAsync();

        var (document, diagnostic) = OpenApiDocument.Parse(json, "json");

        diagnostic.ShouldNotBeNull();
        diagnostic.Errors.Select(e => e.ToString()).ShouldBeEmpty();
        diagnostic.SpecificationVersion.ShouldBe(OpenApiSpecVersion.OpenApi3_1);
        document.ShouldNotBeNull();
        document.Validate(ValidationRuleSet.GetDefaultRuleSet())!.Select(e => e.ToString()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_path_has_operations_with_responses_and_every_ref_resolves()
    {
        using var json = JsonDocument.Parse(await DocumentAsync());
        var root = json.RootElement;
        root.GetProperty("openapi").GetString().ShouldStartWith("3.1.");
        var paths = root.GetProperty("paths").EnumerateObject().ToList();
        paths.Count.ShouldBeGreaterThan(5);
        foreach (var path in paths)
        {
            var operations = path.Value.EnumerateObject().Where(o => HttpVerbs.Contains(o.Name)).ToList();
            operations.ShouldNotBeEmpty($"{path.Name} has no operation");
            foreach (var operation in operations)
            {
                var responses = operation.Value.GetProperty("responses").EnumerateObject().ToList();
                responses.ShouldNotBeEmpty($"{operation.Name} {path.Name} has no responses");
                responses.ShouldContain(r => r.Name.StartsWith('2'), $"{operation.Name} {path.Name} has no success answer");
            }
        }

        var references = new List<string>();
        CollectRefs(root, references);
        references.ShouldNotBeEmpty();
        foreach (var reference in references.Distinct())
        {
            reference.ShouldStartWith("#/");
            Resolve(root, reference).ShouldNotBeNull($"{reference} does not resolve");
        }
    }

    [Fact]
    public async Task The_document_describes_exactly_the_mapped_machine_endpoints()
    {
        var endpoints = fx.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => IsMachineApi(e.RoutePattern.RawText))
            .ToList();
        // The only endpoint kept out is Open311's error answer for paths that are not a method.
        endpoints.Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true)
            .Select(e => e.RoutePattern.RawText).ShouldBe(["/open311/{**rest}"]);
        var mapped = endpoints
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription != true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m.ToUpperInvariant()} {PathOf(e.RoutePattern.RawText)}"))
            .ToHashSet();
        mapped.ShouldContain("POST /api/v1/messages");
        mapped.ShouldContain("POST /api/v1/cases/{reference}/updates");
        mapped.ShouldContain("GET /open311/v2/services/{code}.{format}");

        using var json = JsonDocument.Parse(await DocumentAsync());
        var documented = json.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => HttpVerbs.Contains(o.Name)).Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .ToHashSet();

        mapped.Except(documented).ShouldBeEmpty("mapped but not in the document");
        documented.Except(mapped).ShouldBeEmpty("in the document but not mapped");
    }

    [Fact]
    public async Task The_ingest_endpoint_names_its_key_its_body_and_its_problem_details()
    {
        using var json = JsonDocument.Parse(await DocumentAsync());
        var root = json.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        scheme.GetProperty("type").GetString().ShouldBe("apiKey");
        scheme.GetProperty("in").GetString().ShouldBe("header");
        // The header the handlers read.
        scheme.GetProperty("name").GetString().ShouldBe(CivicDesk.Web.Features.Ingestion.IngestionApi.ApiKeyHeader);
        var open311Scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Open311ApiKey");
        open311Scheme.GetProperty("name").GetString().ShouldBe("api_key");

        var post = root.GetProperty("paths").GetProperty("/api/v1/messages").GetProperty("post");
        post.GetProperty("security").EnumerateArray().Single().TryGetProperty("ApiKey", out _).ShouldBeTrue();
        var body = Resolve(root, post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!)!.Value;
        body.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldContain("messages");
        var message = ItemSchema(root, body.GetProperty("properties").GetProperty("messages"));
        message.GetProperty("properties").EnumerateObject().Select(p => p.Name).ShouldBe(
            ["externalId", "text", "authorHandle", "authorName", "createdAt", "inReplyTo", "lat", "lon", "language", "attachments"], ignoreOrder: true);
        message.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["externalId", "text", "authorHandle"], ignoreOrder: true);

        var responses = post.GetProperty("responses");
        responses.GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue();
        responses.GetProperty("202").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue();
        foreach (var status in new[] { "400", "401", "413", "415", "429", "503" })
        {
            responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue($"{status} is not problem details");
        }

        var caseUpdate = root.GetProperty("paths").GetProperty("/api/v1/cases/{reference}/updates").GetProperty("post");
        caseUpdate.GetProperty("security").EnumerateArray().Single().TryGetProperty("ApiKey", out _).ShouldBeTrue();
        var updateBody = ItemSchema(root, caseUpdate.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        updateBody.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["updateId", "status"], ignoreOrder: true);
        caseUpdate.GetProperty("responses").GetProperty("201").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue();
        caseUpdate.GetProperty("responses").GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Open311_operations_describe_formats_forms_keys_and_error_documents()
    {
        using var json = JsonDocument.Parse(await DocumentAsync());
        var root = json.RootElement;
        var post = root.GetProperty("paths").GetProperty("/open311/v2/requests.{format}").GetProperty("post");
        var format = post.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "format");
        format.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()).ShouldBe(["xml", "json"]);
        post.GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(c => c.Name)
            .ShouldBe(["application/x-www-form-urlencoded", "multipart/form-data"], ignoreOrder: true);
        post.GetProperty("security").EnumerateArray().Single().TryGetProperty("Open311ApiKey", out _).ShouldBeTrue();
        var form = ItemSchema(root, post.GetProperty("requestBody").GetProperty("content").GetProperty("application/x-www-form-urlencoded").GetProperty("schema"));
        form.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["api_key", "service_code"], ignoreOrder: true);
        form.GetProperty("properties").TryGetProperty("long", out _).ShouldBeTrue();
        post.GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name).ShouldBe(["application/json", "text/xml"], ignoreOrder: true);
        var error = ItemSchema(root, post.GetProperty("responses").GetProperty("403").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        error.GetProperty("properties").EnumerateObject().Select(p => p.Name).ShouldBe(["code", "description"], ignoreOrder: true);

        var search = root.GetProperty("paths").GetProperty("/open311/v2/requests.{format}").GetProperty("get");
        search.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .ShouldBe(["format", "jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status", "max_requests"], ignoreOrder: true);
        // Public reads: a key is optional (an empty requirement means "or none").
        search.GetProperty("security").EnumerateArray().ShouldContain(r => !r.EnumerateObject().Any());
    }

    [Fact]
    public async Task Every_field_of_a_live_Open311_answer_is_declared_in_its_schema()
    {
        using var json = JsonDocument.Parse(await DocumentAsync());
        var root = json.RootElement;
        var (_, created, _) = await fx.PostAsync("requests.json", fx.CreateForm());
        created.ShouldContain("service_request_id");
        var id = JsonDocument.Parse(created).RootElement[0].GetProperty("service_request_id").GetString()!;
        var update = new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Open311Fixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_request_id"] = id,
            ["update_id"] = "shape-" + Guid.NewGuid().ToString("N")[..8], ["status"] = "IN_PROGRESS",
            ["updated_datetime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
            ["description"] = "Crew booked",
        };
        var (_, updated, _) = await fx.PostAsync("servicerequestupdates.json", update);

        var answers = new List<(string Path, string Method, string Body)>
        {
            ("/open311/discovery.{format}", "get", (await fx.GetAsync("discovery.json")).Body),
            ("/open311/v2/services.{format}", "get", (await fx.GetAsync($"services.json?{Open311Jurisdiction}")).Body),
            ("/open311/v2/services/{code}.{format}", "get", (await fx.GetAsync($"services/potholes.json?{Open311Jurisdiction}")).Body),
            ("/open311/v2/requests.{format}", "post", created),
            ("/open311/v2/requests.{format}", "get", (await fx.GetAsync($"requests.json?{Open311Jurisdiction}&service_request_id={id}")).Body),
            ("/open311/v2/requests/{id}.{format}", "get", (await fx.GetAsync($"requests/{id}.json?{Open311Jurisdiction}")).Body),
            ("/open311/v2/servicerequestupdates.{format}", "post", updated),
            ("/open311/v2/servicerequestupdates.{format}", "get", (await fx.GetAsync($"servicerequestupdates.json?{Open311Jurisdiction}")).Body),
        };

        foreach (var (path, method, body) in answers)
        {
            var schema = root.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty("200")
                .GetProperty("content").GetProperty("application/json").GetProperty("schema");
            using var answer = JsonDocument.Parse(body);
            var objects = answer.RootElement.ValueKind == JsonValueKind.Array ? answer.RootElement.EnumerateArray().ToList() : [answer.RootElement];
            objects.ShouldNotBeEmpty($"{method} {path} answered nothing to compare: {body}");
            var declared = ItemSchema(root, schema);
            foreach (var item in objects)
            {
                AssertDeclared(root, declared, item, $"{method} {path}");
            }
        }
    }

    /// <summary>Every property of <paramref name="value"/> (and of its nested objects) is declared in <paramref name="schema"/>.</summary>
    private static void AssertDeclared(JsonElement root, JsonElement schema, JsonElement value, string where)
    {
        var properties = schema.GetProperty("properties");
        foreach (var field in value.EnumerateObject())
        {
            properties.TryGetProperty(field.Name, out var declared).ShouldBeTrue($"{where}: {field.Name} is not in the schema");
            if (field.Value.ValueKind == JsonValueKind.Array && field.Value.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first)
            {
                AssertDeclared(root, ItemSchema(root, declared), first, $"{where}.{field.Name}");
            }
        }
    }

    /// <summary>The object schema behind a schema: follows $ref and array items (and nullable anyOf/oneOf wrappers).</summary>
    private static JsonElement ItemSchema(JsonElement root, JsonElement schema)
    {
        while (true)
        {
            if (schema.TryGetProperty("$ref", out var reference))
            {
                schema = Resolve(root, reference.GetString()!)!.Value;
            }
            else if (schema.TryGetProperty("items", out var items))
            {
                schema = items;
            }
            else if (!schema.TryGetProperty("properties", out _)
                     && (schema.TryGetProperty("anyOf", out var choices) || schema.TryGetProperty("oneOf", out choices)))
            {
                schema = choices.EnumerateArray().First(c => c.TryGetProperty("$ref", out _) || c.TryGetProperty("properties", out _) || c.TryGetProperty("items", out _));
            }
            else
            {
                return schema;
            }
        }
    }

    private static readonly HashSet<string> HttpVerbs = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private static bool IsMachineApi(string? pattern) =>
        pattern is not null && (pattern.TrimStart('/').StartsWith("api/v1/", StringComparison.Ordinal) || pattern.TrimStart('/').StartsWith("open311/", StringComparison.Ordinal));

    /// <summary>"/open311/v2/services/{code}.{format}" from the route pattern, constraints dropped, as OpenAPI writes paths.</summary>
    private static string PathOf(string? pattern) => "/" + RouteParameter().Replace((pattern ?? "").Trim('/'), "{$1}");

    [GeneratedRegex(@"\{\**(\w+)[^}]*\}")]
    private static partial Regex RouteParameter();

    private static void CollectRefs(JsonElement element, List<string> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "$ref" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        found.Add(property.Value.GetString()!);
                    }
                    else
                    {
                        CollectRefs(property.Value, found);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectRefs(item, found);
                }

                break;
        }
    }

    /// <summary>Resolves a local JSON pointer (RFC 6901: ~1 is '/', ~0 is '~').</summary>
    private static JsonElement? Resolve(JsonElement root, string reference)
    {
        var current = root;
        foreach (var segment in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }
}

/// <summary>The Scalar reference page: off by default outside Development and demo mode, on when configured, and CSP-safe.</summary>
public sealed class ApiReferencePageTests(Open311Fixture fx) : IClassFixture<Open311Fixture>
{
    public sealed class ReferencePageFactory : CivicDeskFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("ApiDocs:ReferencePage", "true")];
    }

    [Fact]
    public async Task The_reference_page_is_off_by_default_outside_development_and_demo_mode()
    {
        using var client = fx.Factory.CreateClient();
        var response = await client.GetAsync("/api/docs");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // The document itself stays published.
        (await client.GetAsync("/openapi/v1.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task When_enabled_the_reference_page_loads_the_document_anonymously_with_its_own_nonce_policy()
    {
        using var factory = new ReferencePageFactory();
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/api/docs/v1");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("openapi", customMessage: html);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        nonce.ShouldNotBeEmpty(csp);
        // Every script on the page is either our own file or carries this response's nonce; nothing from other hosts.
        foreach (Match script in Regex.Matches(html, "<script[^>]*>"))
        {
            (script.Value.Contains($"nonce=\"{nonce}\"", StringComparison.Ordinal) || Regex.IsMatch(script.Value, "src=\"(?!https?:)[^\"]+\""))
                .ShouldBeTrue(script.Value);
        }

        html.ShouldNotContain("https://cdn.");
        html.ShouldNotContain("fonts.scalar.com");
        var bundle = Regex.Match(html, "<script[^>]*src=\"([^\"]+)\"").Groups[1].Value;
        bundle.ShouldNotBeEmpty();
        var asset = await client.GetAsync(new Uri(new Uri("http://localhost/api/docs/v1"), bundle));
        asset.StatusCode.ShouldBe(HttpStatusCode.OK, bundle);
    }
}
