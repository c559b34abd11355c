using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Privacy;

public sealed record RegisterEntry(long Id, string Name, IReadOnlyList<string> Terms, string? Purpose, string? LegalBasis, DateTime Since, IReadOnlyList<ListeningSearchChange> History);

/// <summary>What the public pages say about listening and retention, read for one organisation explicitly.</summary>
public sealed class PublicPrivacy(CivicDeskDb db)
{
    public async Task<IReadOnlyList<RegisterEntry>> RegisterAsync(long organisationId, CancellationToken ct)
    {
        var searches = await db.ListeningSearches.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.OrganisationId == organisationId && s.IsPublic && s.IsEnabled).OrderBy(s => s.Name).ToListAsync(ct);
        var ids = searches.Select(s => s.Id).ToList();
        var history = await db.ListeningSearchChanges.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && ids.Contains(c.ListeningSearchId)).OrderByDescending(c => c.At).ThenByDescending(c => c.Id).ToListAsync(ct);
        return searches.Select(s => new RegisterEntry(s.Id, s.Name, s.TermList(), s.Purpose, s.LegalBasis, s.CreatedAt,
            history.Where(h => h.ListeningSearchId == s.Id).ToList())).ToList();
    }

    /// <summary>Enabled retention policies by class; a class without one is kept under the body's records schedule.</summary>
    public async Task<IReadOnlyDictionary<RetentionDataClass, RetentionPolicy>> RetentionAsync(long organisationId, CancellationToken ct) =>
        await db.RetentionPolicies.IgnoreQueryFilters().AsNoTracking().Where(p => p.OrganisationId == organisationId && p.IsEnabled)
            .ToDictionaryAsync(p => p.DataClass, ct);

    public static string Retention(IReadOnlyDictionary<RetentionDataClass, RetentionPolicy> policies, RetentionDataClass c) =>
        policies.TryGetValue(c, out var p)
            ? $"{Period(p.PeriodDays)}, then {(p.Action == RetentionAction.Delete ? "deleted" : "anonymised")}"
            : "as set out in our records retention schedule";

    private static string Period(int days) => days switch
    {
        _ when days % 365 == 0 => days == 365 ? "1 year" : $"{days / 365} years",
        _ when days % 30 == 0 && days < 365 => days == 30 ? "1 month" : $"{days / 30} months",
        1 => "1 day",
        _ => $"{days} days",
    };
}
