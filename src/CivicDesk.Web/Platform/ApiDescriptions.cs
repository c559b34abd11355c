using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace CivicDesk.Web.Platform;

/// <summary>
/// What the OpenAPI document (Features/ApiDocs) cannot learn from a handler's signature, said where the endpoint is
/// mapped: bodies the handler reads itself (to keep each message verbatim, or a GeoReport v2 form), query parameters
/// read through <c>HttpContext</c>, and which API key an endpoint checks.
/// </summary>
public static class ApiDescriptions
{
    /// <summary>Channel ingest keys and integration (Open311 client) keys, both sent in this header on <c>/api/v1</c>.</summary>
    public const string ApiKeyScheme = "ApiKey";

    /// <summary>GeoReport v2's <c>api_key</c> parameter (in the form body on POSTs, in the query on GETs).</summary>
    public const string Open311KeyScheme = "Open311ApiKey";

    /// <summary>The endpoint checks this security scheme (declared by the ApiDocs feature).</summary>
    public static TBuilder RequiresApiKey<TBuilder>(this TBuilder builder, string scheme = ApiKeyScheme, bool optional = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
            if (optional)
            {
                // An empty requirement in the list means "or none": GETs answer the public without a key.
                operation.Security.Add(new OpenApiSecurityRequirement());
            }

            return Task.CompletedTask;
        });

    /// <summary>The request body, described by <typeparamref name="T"/>, for a handler that reads the body itself.</summary>
    public static TBuilder DescribesBody<TBuilder, T>(this TBuilder builder, string description, params string[] contentTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var name = typeof(T).Name;
            var document = context.Document!;
            if (document.Components?.Schemas?.ContainsKey(name) != true)
            {
                document.AddComponent(name, await context.GetOrCreateSchemaAsync(typeof(T), null, ct));
            }

            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = contentTypes.ToDictionary(c => c, _ => new OpenApiMediaType { Schema = new OpenApiSchemaReference(name, document) }),
            };
        });

    /// <summary>A query parameter the handler reads from <c>HttpContext</c> (GeoReport v2's snake_case names).</summary>
    public static TBuilder DescribesQuery<TBuilder>(this TBuilder builder, string name, string description, bool required = false,
        JsonSchemaType type = JsonSchemaType.String, string? format = null) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Description = description,
                Required = required,
                Schema = new OpenApiSchema { Type = type, Format = format },
            });
            return Task.CompletedTask;
        });

    /// <summary>A route parameter that only takes these values (e.g. GeoReport v2's <c>{format}</c>: xml or json).</summary>
    public static TBuilder DescribesRouteValues<TBuilder>(this TBuilder builder, string name, string description, params string[] values)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == name && p.In == ParameterLocation.Path) is { } parameter)
            {
                parameter.Description = description;
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
            }

            return Task.CompletedTask;
        });
}
