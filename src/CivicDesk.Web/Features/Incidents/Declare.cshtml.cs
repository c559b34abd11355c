using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Incidents;

[Authorize(Policy = Policies.Comms)]
public sealed class DeclareModel(IncidentCommands commands, IOptions<PublicOptions> map) : FormPage
{
    [BindProperty] public IncidentInput Input { get; set; } = new() { AreaKind = IncidentAreaKind.Radius, RadiusMetres = 500 };

    public PublicOptions Map => map.Value;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await commands.DeclareAsync(Input, ct);
        if (!outcome.Succeeded)
        {
            Errors = outcome.Errors;
            return Page();
        }

        Notice = "Incident declared. The banner is on every public page and the live page is open";
        return Redirect($"/comms/incidents/{outcome.Id}");
    }
}
