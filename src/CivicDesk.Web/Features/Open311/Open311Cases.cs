using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Open311;

/// <summary>A service (category) as Open311 lists it; built from the case domain's services.</summary>
public sealed record Open311ServiceInfo(string Code, string Name, string? Description, string? Group, string? Keywords);

/// <summary>A validated <c>POST requests</c>: everything the client sent, in our words.</summary>
public sealed record NewServiceRequest(
    long OrganisationId,
    string ClientName,
    string ServiceCode,
    string? Description,
    double? Latitude,
    double? Longitude,
    string? AddressString,
    string? AddressId,
    string? Email,
    string? FirstName,
    string? LastName,
    string? Phone,
    string? DeviceId,
    string? AccountId,
    IReadOnlyList<string> MediaUrls,
    // Answers by attribute code; a multivaluelist's keys are joined with commas.
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<AttachmentInfo> Photos);

/// <summary>What a create gives back: the public id and the token a client may poll instead.</summary>
public sealed record CreatedServiceRequest(string ServiceRequestId, string Token, string? Error = null)
{
    /// <summary>The case side refused the request (a rule the protocol layer does not know); answered as a 400.</summary>
    public static CreatedServiceRequest Refused(string error) => new("", "", error);
}

/// <summary>GET requests filters, already validated; <see cref="Ids"/> overrides the others (spec).</summary>
public sealed record ServiceRequestQuery(
    IReadOnlyList<string>? Ids,
    IReadOnlyList<string>? ServiceCodes,
    DateTime From,
    DateTime To,
    bool? Open,
    int Max);

/// <summary>
/// One request as GET requests shows it: never the reporter's name, email or phone. <see cref="TextIsPublic"/> says
/// staff reviewed the reporter's description and address for publication; until then only trusted (keyed) callers
/// see them (see <c>Open311Api.ForCaller</c>).
/// </summary>
public sealed record ServiceRequestView(
    string ServiceRequestId,
    bool IsOpen,
    string? StatusNotes,
    string ServiceCode,
    string? ServiceName,
    string? Description,
    string? AgencyResponsible,
    string? ServiceNotice,
    DateTime RequestedAt,
    DateTime? UpdatedAt,
    DateTime? ExpectedAt,
    string? Address,
    string? AddressId,
    string? Zipcode,
    double? Latitude,
    double? Longitude,
    string? MediaUrl,
    bool TextIsPublic = false);

/// <summary>One update as mySociety's GET servicerequestupdates shows it.</summary>
public sealed record ServiceRequestUpdateView(
    string UpdateId,
    string ServiceRequestId,
    Open311Status Status,
    DateTime UpdatedAt,
    string? Description,
    string? MediaUrl,
    string? ExternalStatusCode,
    string? CustomerReference);

/// <summary>
/// A status update from a back office (Open311 POST servicerequestupdates or POST /api/v1/cases/{reference}/updates).
/// <see cref="UpdateId"/> is the sender's id for it: the same id twice changes nothing the second time.
/// </summary>
public sealed record InboundUpdate(
    long OrganisationId,
    string Source,
    string ServiceRequestId,
    string UpdateId,
    Open311Status Status,
    DateTime UpdatedAt,
    string? Description,
    string? MediaUrl,
    string? ExternalStatusCode,
    string? Email,
    string? FirstName,
    string? LastName);

public enum InboundUpdateOutcome
{
    Applied,
    AlreadyApplied,
    UnknownRequest,
    Rejected,
}

/// <summary>The result of an inbound update: the outcome, the update id, and why it was rejected.</summary>
public sealed record InboundUpdateResult(InboundUpdateOutcome Outcome, string? UpdateId, string? Error = null);

/// <summary>
/// The case domain as the Open311 server and the inbound update API need it. The boundary between the protocol
/// (parsing, validation, formats, keys, errors — this folder) and cases (Features/Cases, owned elsewhere): the one
/// implementation maps these calls onto Case, CaseService, CaseUpdate and CaseCommands.
/// </summary>
public interface IOpen311Cases
{
    Task<IReadOnlyList<Open311ServiceInfo>> ServicesAsync(long organisationId, CancellationToken ct);

    /// <summary>Whether the organisation offers the service (POST requests checks this on every call, so keep it one indexed look-up).</summary>
    async Task<bool> HasServiceAsync(long organisationId, string code, CancellationToken ct) =>
        (await ServicesAsync(organisationId, ct)).Any(s => s.Code == code);

    Task<CreatedServiceRequest> CreateAsync(NewServiceRequest request, CancellationToken ct);

    Task<IReadOnlyList<ServiceRequestView>> FindAsync(long organisationId, ServiceRequestQuery query, CancellationToken ct);

    /// <summary>The request a token stands for: null when no such token; ServiceRequestId null while not yet created.</summary>
    Task<(string Token, string? ServiceRequestId)?> FindTokenAsync(long organisationId, string token, CancellationToken ct);

    Task<IReadOnlyList<ServiceRequestUpdateView>> UpdatesAsync(long organisationId, DateTime from, DateTime to, int max, CancellationToken ct);

    Task<InboundUpdateResult> ApplyUpdateAsync(InboundUpdate update, CancellationToken ct);
}
