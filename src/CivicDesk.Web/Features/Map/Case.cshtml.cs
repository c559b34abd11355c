using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Map;

/// <summary>A case as the public sees it: service, status, public updates and an approximate location. No personal data.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class CaseModel(PublicOrganisationResolver organisations, PublicCases cases, IOptions<MapOptions> options) : PageModel
{
    public PublicCase Case { get; private set; } = null!;
    public IReadOnlyList<PublicUpdate> Updates { get; private set; } = [];
    public MapOptions Map => options.Value;
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task<IActionResult> OnGetAsync(string reference, CancellationToken ct)
    {
        var org = organisations.Current;
        var normalised = References.Normalise(reference);
        if (await cases.FindAsync(org.Id, normalised, ct) is not { } found)
        {
            return NotFound();
        }

        Case = found;
        Updates = await cases.UpdatesAsync(org.Id, normalised, ct);
        Zone = InboxText.Zone(org.TimeZoneId);
        return Page();
    }

    public string When(DateTime utc) => InboxText.When(utc, Zone);
}
