using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>
/// The banner every public page shows while an incident is active (the public layout invokes it). Most severe first;
/// the live page of an incident does not repeat its own banner.
/// </summary>
public sealed class IncidentBannerViewComponent(CivicDeskDb db, PublicOrganisationResolver organisations) : ViewComponent
{
    public sealed record Banner(string Title, string Slug, IncidentSeverity Severity);

    public async Task<IViewComponentResult> InvokeAsync(long? currentIncidentId)
    {
        var org = await organisations.ResolveAsync(HttpContext.RequestAborted);
        if (org is null)
        {
            return Content("");
        }

        var active = await db.Incidents.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.OrganisationId == org.Id && i.Status == IncidentStatus.Active && i.Id != currentIncidentId)
            .Select(i => new Banner(i.Title, i.Slug, i.Severity))
            .ToListAsync(HttpContext.RequestAborted);
        return active.Count == 0 ? Content("") : View("~/Features/Incidents/_Banner.cshtml", active.OrderByDescending(b => b.Severity).ToList());
    }
}
