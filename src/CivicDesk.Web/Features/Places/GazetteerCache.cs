using System.Collections.Concurrent;
using CivicDesk.Triage.Places;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Places;

/// <summary>
/// Each organisation's <see cref="Gazetteer"/>, built once from its rows and kept until an import replaces them
/// (<see cref="Invalidate"/>). System work: reads across organisations with an explicit filter.
/// </summary>
public sealed class GazetteerCache(IServiceScopeFactory scopes)
{
    private readonly ConcurrentDictionary<long, Lazy<Task<Gazetteer>>> _byOrganisation = new();

    public Task<Gazetteer> ForAsync(long organisationId, CancellationToken ct) =>
        _byOrganisation.GetOrAdd(organisationId, id => new Lazy<Task<Gazetteer>>(() => LoadAsync(id, ct))).Value;

    public void Invalidate(long organisationId) => _byOrganisation.TryRemove(organisationId, out _);

    private async Task<Gazetteer> LoadAsync(long organisationId, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var rows = await db.GazetteerStreets.IgnoreQueryFilters().AsNoTracking().Where(s => s.OrganisationId == organisationId)
                .Select(s => new GazetteerEntry(s.Name, s.Locality, s.Latitude, s.Longitude, s.Weight)).ToListAsync(ct);
            return new Gazetteer(rows);
        }
        catch
        {
            // A failed load is not cached: the next message tries again.
            Invalidate(organisationId);
            throw;
        }
    }
}
