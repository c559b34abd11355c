using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Privacy;

/// <summary>The privacy notice, written from the organisation's own settings: channels, retention, listening, contacts.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class PrivacyNoticeModel(PublicOrganisationResolver organisations, PublicPrivacy privacy, CivicDeskDb db) : PageModel
{
    public string OrganisationName { get; private set; } = "";
    public string? Contact { get; private set; }
    public string? IcoRegistration { get; private set; }
    public IReadOnlyList<ChannelKind> Channels { get; private set; } = [];
    public IReadOnlyDictionary<RetentionDataClass, RetentionPolicy> Retention { get; private set; } = new Dictionary<RetentionDataClass, RetentionPolicy>();
    public int PublicSearches { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var org = organisations.Current;
        OrganisationName = org.Name;
        var settings = await db.Organisations.AsNoTracking().Where(o => o.Id == org.Id).Select(o => new { o.PrivacyContact, o.IcoRegistration }).SingleAsync(ct);
        (Contact, IcoRegistration) = (settings.PrivacyContact, settings.IcoRegistration);
        Channels = await db.Channels.IgnoreQueryFilters().AsNoTracking().Where(c => c.OrganisationId == org.Id).Select(c => c.Kind).Distinct().ToListAsync(ct);
        Retention = await privacy.RetentionAsync(org.Id, ct);
        PublicSearches = (await privacy.RegisterAsync(org.Id, ct)).Count;
    }

    public string Kept(RetentionDataClass c) => PublicPrivacy.Retention(Retention, c);

    public static string ChannelName(ChannelKind k) => k switch
    {
        ChannelKind.WebForm => "our online report form",
        ChannelKind.Api => "partner systems that pass reports to us",
        ChannelKind.Twitter => "X (Twitter)",
        ChannelKind.Facebook => "Facebook and Messenger",
        ChannelKind.Mastodon => "Mastodon",
        ChannelKind.Bluesky => "Bluesky",
        ChannelKind.Rss => "public news feeds",
        ChannelKind.Email => "email",
        _ => k.ToString(),
    };
}
