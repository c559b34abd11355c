using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Accounts;

public sealed record OfficialAccount(string Network, string Handle, string? Url, string Purpose);

/// <summary>The organisation's official accounts, so citizens can tell a real account from an impersonation.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class OfficialModel(PublicOrganisationResolver organisations, CivicDeskDb db) : PageModel
{
    public IReadOnlyList<OfficialAccount> Accounts { get; private set; } = [];
    public string OrganisationName { get; private set; } = "";

    public async Task OnGetAsync(CancellationToken ct)
    {
        var org = organisations.Current;
        OrganisationName = org.Name;
        // Only accounts that are live: a proposed one does not exist yet, and a closed one may be taken over by someone else.
        Accounts = await db.SocialAccounts.IgnoreQueryFilters().AsNoTracking()
            .Where(a => a.OrganisationId == org.Id && a.ListPublicly
                        && (a.Status == SocialAccountStatus.Active || a.Status == SocialAccountStatus.Trial || a.Status == SocialAccountStatus.Dormant))
            .OrderBy(a => a.Network).ThenBy(a => a.Handle)
            .Select(a => new OfficialAccount(a.Network, a.Handle, a.Url, a.Purpose))
            .ToListAsync(ct);
    }
}
