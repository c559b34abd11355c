using System.Collections.Concurrent;
using CivicDesk.Web.Features.Open311;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>
/// The case side of the Open311 boundary held in memory, for protocol tests while the case domain is built on
/// another branch: it records what the protocol layer handed over and answers with what a test put in.
/// </summary>
public sealed class FakeOpen311Cases : IOpen311Cases
{
    private int _next = 1000;

    public ConcurrentQueue<NewServiceRequest> Created { get; } = new();
    public ConcurrentDictionary<string, ServiceRequestView> Requests { get; } = new();
    public ConcurrentDictionary<string, string> Tokens { get; } = new();
    public ConcurrentQueue<InboundUpdate> Updates { get; } = new();
    public List<Open311ServiceInfo> Services { get; } =
    [
        new("potholes", "Potholes", "Holes in the road surface", "Highways", "roads, potholes"),
        new("fly-tipping", "Fly-tipping", "Rubbish dumped on public land", "Waste", "waste"),
    ];

    public bool Fail { get; set; }

    public Task<IReadOnlyList<Open311ServiceInfo>> ServicesAsync(long organisationId, CancellationToken ct) =>
        Fail ? throw new InvalidOperationException("database down") : Task.FromResult<IReadOnlyList<Open311ServiceInfo>>(Services);

    public Task<CreatedServiceRequest> CreateAsync(NewServiceRequest request, CancellationToken ct)
    {
        var id = "CS-" + Interlocked.Increment(ref _next);
        var token = Guid.NewGuid().ToString("N");
        Created.Enqueue(request);
        Tokens[token] = id;
        Requests[id] = new ServiceRequestView(id, true, null, request.ServiceCode, Services.First(s => s.Code == request.ServiceCode).Name,
            request.Description, "Highways", null, DateTime.UtcNow, DateTime.UtcNow, DateTime.UtcNow.AddDays(3), request.AddressString, request.AddressId, null,
            request.Latitude, request.Longitude, request.MediaUrls.Count > 0 ? request.MediaUrls[0] : null);
        return Task.FromResult(new CreatedServiceRequest(id, token));
    }

    public Task<IReadOnlyList<ServiceRequestView>> FindAsync(long organisationId, ServiceRequestQuery query, CancellationToken ct)
    {
        IEnumerable<ServiceRequestView> all = Requests.Values;
        all = query.Ids is { } ids
            ? all.Where(r => ids.Contains(r.ServiceRequestId))
            : all.Where(r => r.RequestedAt >= query.From && r.RequestedAt <= query.To
                             && (query.ServiceCodes is null || query.ServiceCodes.Contains(r.ServiceCode))
                             && (query.Open is null || r.IsOpen == query.Open));
        return Task.FromResult<IReadOnlyList<ServiceRequestView>>(all.OrderBy(r => r.ServiceRequestId, StringComparer.Ordinal).Take(query.Max).ToList());
    }

    public Task<(string Token, string? ServiceRequestId)?> FindTokenAsync(long organisationId, string token, CancellationToken ct) =>
        Task.FromResult<(string, string?)?>(Tokens.TryGetValue(token, out var id) ? (token, id) : null);

    public Task<IReadOnlyList<ServiceRequestUpdateView>> UpdatesAsync(long organisationId, DateTime from, DateTime to, int max, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ServiceRequestUpdateView>>(Updates
            .Where(u => u.UpdatedAt >= from && u.UpdatedAt <= to)
            .Select(u => new ServiceRequestUpdateView(u.UpdateId, u.ServiceRequestId, u.Status, u.UpdatedAt, u.Description, u.MediaUrl, u.ExternalStatusCode, null))
            .Take(max).ToList());

    public Task<InboundUpdateResult> ApplyUpdateAsync(InboundUpdate update, CancellationToken ct)
    {
        if (!Requests.ContainsKey(update.ServiceRequestId))
        {
            return Task.FromResult(new InboundUpdateResult(InboundUpdateOutcome.UnknownRequest, null));
        }

        if (Updates.Any(u => u.UpdateId == update.UpdateId))
        {
            return Task.FromResult(new InboundUpdateResult(InboundUpdateOutcome.AlreadyApplied, update.UpdateId));
        }

        Updates.Enqueue(update);
        return Task.FromResult(new InboundUpdateResult(InboundUpdateOutcome.Applied, update.UpdateId));
    }
}
