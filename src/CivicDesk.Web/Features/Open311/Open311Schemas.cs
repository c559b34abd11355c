using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace CivicDesk.Web.Features.Open311;

// The JSON shapes of GeoReport v2 answers and form bodies, for the OpenAPI document. The handlers write these
// documents field by field (Open311Writer, so XML and JSON come from one record in the spec's order); these records say
// the same thing to OpenAPI tools, and Open311DocumentShapeTests checks every field a live answer has is declared here.
// XML answers carry the same fields as elements, wrapped as docs/open311.md shows (<services><service>…).

/// <summary>GET discovery: where the server is and what it speaks.</summary>
public sealed record Open311DiscoverySchema(
    [property: JsonPropertyName("changeset")] DateTimeOffset Changeset,
    [property: JsonPropertyName("contact")] string Contact,
    [property: JsonPropertyName("key_service")] string KeyService,
    [property: JsonPropertyName("endpoints")] IReadOnlyList<Open311EndpointSchema> Endpoints);

/// <summary>One GeoReport v2 endpoint of this server.</summary>
public sealed record Open311EndpointSchema(
    [property: JsonPropertyName("specification")] string Specification,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("changeset")] DateTimeOffset Changeset,
    [property: JsonPropertyName("type"), Description("production in Production, test otherwise.")] string Type,
    [property: JsonPropertyName("formats"), Description("text/xml and application/json.")] IReadOnlyList<string> Formats);

/// <summary>One service (a case service of the organisation; its group is the team).</summary>
public sealed record Open311ServiceSchema(
    [property: JsonPropertyName("service_code")] string ServiceCode,
    [property: JsonPropertyName("service_name")] string ServiceName,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("metadata"), Description("True when the service has a definition with extra questions (GET services/{code}).")] bool Metadata,
    [property: JsonPropertyName("type"), Description("Always realtime.")] string Type,
    [property: JsonPropertyName("keywords")] string? Keywords,
    [property: JsonPropertyName("group")] string? Group);

/// <summary>A service definition: the extra questions a report of this service answers.</summary>
public sealed record Open311ServiceDefinitionSchema(
    [property: JsonPropertyName("service_code")] string ServiceCode,
    [property: JsonPropertyName("attributes")] IReadOnlyList<Open311AttributeSchema> Attributes);

/// <summary>One question, sent back on POST requests as <c>attribute[code]=value</c>.</summary>
public sealed record Open311AttributeSchema(
    [property: JsonPropertyName("variable")] bool Variable,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("datatype"), Description("string, number, datetime, text, singlevaluelist or multivaluelist.")] string Datatype,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("datatype_description")] string? DatatypeDescription,
    [property: JsonPropertyName("order")] int Order,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("values")] IReadOnlyList<Open311AttributeValueSchema> Values);

/// <summary>One allowed answer of a list question.</summary>
public sealed record Open311AttributeValueSchema(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name);

/// <summary>
/// The answer to POST requests: the new request's id, or a token to look it up later when the jurisdiction is set to
/// answer with tokens (then service_request_id is absent).
/// </summary>
public sealed record Open311CreatedSchema
{
    [JsonPropertyName("service_request_id")] public string? ServiceRequestId { get; init; }

    [JsonPropertyName("token")] public string? Token { get; init; }

    [JsonPropertyName("service_notice")] public string? ServiceNotice { get; init; }

    [JsonPropertyName("account_id")] public string? AccountId { get; init; }
}

/// <summary>GET tokens/{token}: the request a token turned into.</summary>
public sealed record Open311TokenSchema(
    [property: JsonPropertyName("service_request_id")] string ServiceRequestId,
    [property: JsonPropertyName("token")] string Token);

/// <summary>
/// A service request as the caller may see it: without a valid client key, description, address and media_url only once
/// staff have reviewed them for publication, and the point rounded as on the public map. Never the reporter's name,
/// email, phone, device or account.
/// </summary>
public sealed record Open311RequestSchema(
    [property: JsonPropertyName("service_request_id")] string ServiceRequestId,
    [property: JsonPropertyName("status"), Description("open or closed.")] string Status,
    [property: JsonPropertyName("status_notes")] string? StatusNotes,
    [property: JsonPropertyName("service_name")] string? ServiceName,
    [property: JsonPropertyName("service_code")] string? ServiceCode,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("agency_responsible")] string? AgencyResponsible,
    [property: JsonPropertyName("service_notice")] string? ServiceNotice,
    [property: JsonPropertyName("requested_datetime")] DateTimeOffset? RequestedDatetime,
    [property: JsonPropertyName("updated_datetime")] DateTimeOffset? UpdatedDatetime,
    [property: JsonPropertyName("expected_datetime"), Description("CivicDesk's estimate of when the case will be resolved; null until there is one.")] DateTimeOffset? ExpectedDatetime,
    [property: JsonPropertyName("address")] string? Address,
    [property: JsonPropertyName("address_id")] string? AddressId,
    [property: JsonPropertyName("zipcode")] string? Zipcode,
    [property: JsonPropertyName("lat")] double? Latitude,
    [property: JsonPropertyName("long")] double? Longitude,
    [property: JsonPropertyName("media_url")] string? MediaUrl);

/// <summary>One update of a request (mySociety servicerequestupdates).</summary>
public sealed record Open311UpdateSchema(
    [property: JsonPropertyName("update_id")] string UpdateId,
    [property: JsonPropertyName("service_request_id")] string ServiceRequestId,
    [property: JsonPropertyName("status"), Description("An extended status in upper case, e.g. IN_PROGRESS, ACTION_SCHEDULED, FIXED.")] string Status,
    [property: JsonPropertyName("updated_datetime")] DateTimeOffset UpdatedDatetime,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("media_url")] string? MediaUrl,
    [property: JsonPropertyName("external_status_code")] string? ExternalStatusCode,
    [property: JsonPropertyName("customer_reference")] string? CustomerReference);

/// <summary>The answer to POST servicerequestupdates: the id the update was stored under.</summary>
public sealed record Open311UpdateCreatedSchema([property: JsonPropertyName("update_id")] string UpdateId);

/// <summary>
/// POST requests form (url-encoded, or multipart with up to 3 photos in any field, e.g. FixMyStreet's photo1). A location
/// is required: lat and long, or address_string, or address_id. Answers to the service's questions go in
/// <c>attribute[code]=value</c> fields (<c>attribute[code][]=v</c> repeated for a multivaluelist).
/// </summary>
public sealed record Open311RequestForm
{
    [JsonPropertyName("jurisdiction_id")] public string? JurisdictionId { get; init; }

    [JsonPropertyName("api_key"), Required] public required string ApiKey { get; init; }

    [JsonPropertyName("service_code"), Required] public required string ServiceCode { get; init; }

    [JsonPropertyName("lat"), Range(-90.0, 90.0)] public double? Latitude { get; init; }

    [JsonPropertyName("long"), Range(-180.0, 180.0)] public double? Longitude { get; init; }

    [JsonPropertyName("address_string")] public string? AddressString { get; init; }

    [JsonPropertyName("address_id")] public string? AddressId { get; init; }

    [JsonPropertyName("email"), EmailAddress] public string? Email { get; init; }

    [JsonPropertyName("first_name")] public string? FirstName { get; init; }

    [JsonPropertyName("last_name")] public string? LastName { get; init; }

    [JsonPropertyName("phone")] public string? Phone { get; init; }

    [JsonPropertyName("description"), StringLength(4000)] public string? Description { get; init; }

    [JsonPropertyName("media_url"), Url] public string? MediaUrl { get; init; }

    [JsonPropertyName("device_id"), Description("FixMyStreet sends deviceid; both are read.")] public string? DeviceId { get; init; }

    [JsonPropertyName("account_id")] public string? AccountId { get; init; }
}

/// <summary>POST servicerequestupdates form (mySociety): the same update_id twice is applied once.</summary>
public sealed record Open311UpdateForm
{
    [JsonPropertyName("jurisdiction_id")] public string? JurisdictionId { get; init; }

    [JsonPropertyName("api_key"), Required] public required string ApiKey { get; init; }

    [JsonPropertyName("service_request_id"), Required] public required string ServiceRequestId { get; init; }

    [JsonPropertyName("update_id"), Required] public required string UpdateId { get; init; }

    [JsonPropertyName("status"), Description("Open311 or extended status, any case, e.g. IN_PROGRESS or fixed."), Required] public required string Status { get; init; }

    [JsonPropertyName("updated_datetime"), Required] public required DateTimeOffset UpdatedDatetime { get; init; }

    [JsonPropertyName("description"), Required] public required string Description { get; init; }

    [JsonPropertyName("media_url"), Url] public string? MediaUrl { get; init; }

    [JsonPropertyName("external_status_code")] public string? ExternalStatusCode { get; init; }

    [JsonPropertyName("email"), EmailAddress] public string? Email { get; init; }

    [JsonPropertyName("first_name")] public string? FirstName { get; init; }

    [JsonPropertyName("last_name")] public string? LastName { get; init; }
}
