using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Accounts;

/// <summary>Grant a named outside person time-boxed access to post on one account, see every grant, end one early.</summary>
[Authorize(Policy = Policies.Staff, Roles = Roles.Comms + "," + Roles.Admin)]
public sealed class CuratorsModel(GuestCurators curators, PublicationService publishing, TimeProvider clock) : PageModel
{
    public IReadOnlyList<CuratorGrantView> Grants { get; private set; } = [];
    public IReadOnlyList<PublishingChannel> Channels { get; private set; } = [];
    public IReadOnlyList<ErrorLink> Errors { get; private set; } = [];
    public string? Done { get; private set; }
    /// <summary>Shown once, for a curator new to CivicDesk: the owner passes it on by a safe route.</summary>
    public string? NewPassword { get; private set; }
    public string? NewEmail { get; private set; }

    [BindProperty] public CuratorGrantInput Input { get; set; } = new();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Input = Blank();
        await LoadAsync(ct);
    }

    /// <summary>A new form: from today, for a week.</summary>
    private CuratorGrantInput Blank()
    {
        var today = clock.GetUtcNow().UtcDateTime.Date;
        return new CuratorGrantInput { StartsAt = today, EndsAt = today.AddDays(7).AddHours(17) };
    }

    public async Task<IActionResult> OnPostGrantAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            var result = await curators.GrantAsync(Input, ct);
            if (result.Succeeded)
            {
                Done = $"{result.Grant!.CuratorName} may post until {result.Grant.EndsAt:d MMM yyyy HH:mm} UTC" + (result.Grant.ReviewRequired ? "; every post waits for your approval" : "");
                NewPassword = result.NewPassword;
                NewEmail = Input.Email?.Trim();
                ModelState.Clear();
                Input = Blank();
                await LoadAsync(ct);
                return Page();
            }

            foreach (var (field, error) in result.Errors)
            {
                ModelState.AddModelError($"Input.{field}", error);
            }
        }

        Errors = ErrorLink.From(ModelState, "Input_Name");
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        if (!await curators.RevokeAsync(id, ct))
        {
            return NotFound();
        }

        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Grants = await curators.ListAsync(ct);
        Channels = await publishing.ChannelsAsync(ct);
    }
}
