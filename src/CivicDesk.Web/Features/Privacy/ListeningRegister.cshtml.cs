using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace CivicDesk.Web.Features.Privacy;

/// <summary>The public listening register: every active search the organisation lists, why, on what basis, for how long, and its changes.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class ListeningRegisterModel(PublicOrganisationResolver organisations, PublicPrivacy privacy) : PageModel
{
    public IReadOnlyList<RegisterEntry> Entries { get; private set; } = [];
    public string Retention { get; private set; } = "";
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var org = organisations.Current;
        Zone = InboxText.Zone(org.TimeZoneId);
        Entries = await privacy.RegisterAsync(org.Id, ct);
        Retention = PublicPrivacy.Retention(await privacy.RetentionAsync(org.Id, ct), RetentionDataClass.ListeningMessages);
    }
}
