using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>
/// The banner every public page shows while an incident is active (the public layout invokes it). Most severe first;
/// the live page of an incident does not repeat its own banner.
/// </summary>
public sealed class IncidentBannerViewComponent(CivicDeskDb db, PublicOrganisationResolver organisations, PublicContent content) : ViewComponent
{
    public sealed record Banner(string Title, string Slug, IncidentSeverity Severity);

    private sealed record ActiveIncident(long Id, Banner Banner);

    public async Task<IViewComponentResult> InvokeAsync(long? currentIncidentId)
    {
        var org = await organisations.ResolveAsync(HttpContext.RequestAborted);
        if (org is null)
        {
            return Content("");
        }

        // Every public page asks this: the active list is shared for a few seconds (and dropped when an incident is saved).
        var all = await content.GetAsync($"incident-banners:{org.Id}", async ct => await db.Incidents.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.OrganisationId == org.Id && i.Status == IncidentStatus.Active)
            .Select(i => new ActiveIncident(i.Id, new Banner(i.Title, i.Slug, i.Severity)))
            .ToListAsync(ct), HttpContext.RequestAborted) ?? [];
        var active = all.Where(i => i.Id != currentIncidentId).Select(i => i.Banner).ToList();
        return active.Count == 0 ? Content("") : View("~/Features/Incidents/_Banner.cshtml", active.OrderByDescending(b => b.Severity).ToList());
    }
}
