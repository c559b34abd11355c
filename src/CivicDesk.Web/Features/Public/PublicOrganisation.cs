using CivicDesk.Web.Platform;
using CivicDesk.Web.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Public;

/// <summary>The organisation a citizen is talking to: what the public pages need to know about it.</summary>
public sealed record PublicOrganisation(long Id, string Slug, string Name, string EmergencyAdvice, string TimeZoneId);

/// <summary>Finds the organisation the citizen pages serve (see <see cref="PublicOptions.OrganisationSlug"/>), once per request.</summary>
public sealed class PublicOrganisationResolver(CivicDeskDb db, IOptions<PublicOptions> options, PublicContent content)
{
    private PublicOrganisation? _current;

    /// <summary>Set by <see cref="PublicOrganisationFilter"/> before any public page handler runs.</summary>
    public PublicOrganisation Current => _current ?? throw new InvalidOperationException("The public organisation has not been resolved for this request.");

    public async Task<PublicOrganisation?> ResolveAsync(CancellationToken ct)
    {
        if (_current is not null)
        {
            return _current;
        }

        _current = await content.GetAsync("public-organisation", FindAsync, ct);
        return _current;
    }

    private async Task<PublicOrganisation?> FindAsync(CancellationToken ct)
    {
        var configured = options.Value.OrganisationSlug;
        var slug = string.IsNullOrEmpty(configured) ? "demo" : configured;
        var found = await Project(db.Organisations.AsNoTracking().Where(o => o.Slug == slug)).FirstOrDefaultAsync(ct);
        if (found is null && string.IsNullOrEmpty(configured))
        {
            var candidates = await Project(db.Organisations.AsNoTracking().OrderBy(o => o.Id).Take(2)).ToListAsync(ct);
            found = candidates.Count == 1 ? candidates[0] : null;
        }

        return found;
    }

    private static IQueryable<PublicOrganisation> Project(IQueryable<Domain.Organisation> organisations) =>
        organisations.Select(o => new PublicOrganisation(o.Id, o.Slug, o.Name, o.EmergencyAdvice, o.TimeZoneId));
}

/// <summary>
/// Resolves the public organisation for a citizen page and makes it the request's organisation, so the query filters
/// show that organisation's rows only. No organisation set up yet: 503 with the friendly error page.
/// </summary>
public sealed class PublicOrganisationFilter(PublicOrganisationResolver resolver, OrganisationContext organisation) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var org = await resolver.ResolveAsync(context.HttpContext.RequestAborted);
        if (org is null)
        {
            context.Result = new StatusCodeResult(StatusCodes.Status503ServiceUnavailable);
            return;
        }

        // A signed-in member of staff of another organisation may open the public pages too: their scope stays theirs,
        // and the public pages filter by the public organisation explicitly as well.
        if (organisation.OrganisationId is null)
        {
            organisation.Set(org.Id);
        }

        if (context.HandlerInstance is PageModel page)
        {
            page.ViewData["OrganisationName"] = org.Name;
        }

        await next();
    }
}

/// <summary>Marks a citizen page: runs <see cref="PublicOrganisationFilter"/> first.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PublicOrganisationAttribute() : ServiceFilterAttribute(typeof(PublicOrganisationFilter));
