using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivicDesk.Web.Features.Webhooks;

/// <summary>The event types a subscription can ask for.</summary>
public static class WebhookEventTypes
{
    public const string CaseCreated = "case.created";
    public const string CaseUpdated = "case.updated";
    public const string CaseClosed = "case.closed";

    public static readonly IReadOnlyList<string> All = [CaseCreated, CaseUpdated, CaseClosed];
}

/// <summary>
/// The case as a webhook shows it: what a back office needs to act, and no personal data (no reporter, no contact
/// details, no description text).
/// </summary>
public sealed record WebhookCase(
    string Reference,
    string Service,
    string Status,
    [property: JsonPropertyName("open311_status")] string Open311Status,
    string? Team,
    string? Priority,
    [property: JsonPropertyName("lat")] double? Latitude,
    [property: JsonPropertyName("long")] double? Longitude,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTime UpdatedAt,
    [property: JsonPropertyName("expected_by")] DateTime? ExpectedBy,
    string Url);

/// <summary>The body of every webhook: <c>{id, type, occurred_at, organisation, case}</c>.</summary>
public sealed record WebhookEvent(
    Guid Id,
    string Type,
    [property: JsonPropertyName("occurred_at")] DateTime OccurredAt,
    string Organisation,
    WebhookCase Case)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static WebhookEvent? FromJson(string json) => JsonSerializer.Deserialize<WebhookEvent>(json, Json);
}
