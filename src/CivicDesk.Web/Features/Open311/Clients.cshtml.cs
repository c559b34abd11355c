using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Open311;

/// <summary>
/// /admin/open311: the organisation's jurisdiction id and token mode, and its Open311 clients — issue a key (shown
/// once), revoke one. Every change is audited by <see cref="Open311ClientKeys"/>; keys never reach the audit trail.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class ClientsModel(CivicDeskDb db, Open311ClientKeys keys) : PageModel
{
    public IReadOnlyList<ClientRow> Clients { get; private set; } = [];
    public string JurisdictionId { get; private set; } = "";
    public bool AnswerWithToken { get; private set; }
    public string? NewKey { get; private set; }
    public string? NewKeyClient { get; private set; }
    public string? Done { get; private set; }
    public string? Error { get; private set; }

    public sealed record ClientRow(long Id, string Name, string KeyPrefix, bool IsEnabled, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt, string Scopes = "");

    public sealed class JurisdictionInput
    {
        [Required(ErrorMessage = "Enter a jurisdiction id")]
        [RegularExpression("^[a-z0-9][a-z0-9.-]{0,99}$", ErrorMessage = "Jurisdiction id must be lower-case letters, digits, dots and hyphens")]
        public string? JurisdictionId { get; set; }

        public bool AnswerWithToken { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostJurisdictionAsync(JurisdictionInput input, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Error = ModelState.Values.SelectMany(v => v.Errors).First().ErrorMessage;
        }
        else if (!await keys.SetJurisdictionAsync(OrganisationId, input.JurisdictionId!, input.AnswerWithToken, ct))
        {
            Error = "Another organisation already uses that jurisdiction id";
        }
        else
        {
            Done = "Open311 settings saved";
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(string? name, bool demand, CancellationToken ct)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 120)
        {
            Error = "Enter a name for the client, 120 characters or fewer";
            await LoadAsync(ct);
            return Page();
        }

        var (client, key) = await keys.IssueAsync(OrganisationId, name, ct, scopes: demand ? [Domain.IntegrationScopes.Demand] : null);
        (NewKey, NewKeyClient) = (key, client.Name);
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Gives or takes away the demand API from a client's key.</summary>
    public async Task<IActionResult> OnPostDemandAsync(long id, bool allow, CancellationToken ct)
    {
        if (!await keys.SetScopeAsync(OrganisationId, id, Domain.IntegrationScopes.Demand, allow, ct))
        {
            return NotFound();
        }

        Done = allow ? "The key may now send contact-centre demand" : "The key may no longer send contact-centre demand";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        if (!await keys.RevokeAsync(OrganisationId, id, ct))
        {
            return NotFound();
        }

        Done = "The key was revoked";
        await LoadAsync(ct);
        return Page();
    }

    private long OrganisationId => User.OrganisationId() ?? throw new InvalidOperationException("An admin page needs a signed-in organisation.");

    private async Task LoadAsync(CancellationToken ct)
    {
        var jurisdiction = await db.Open311Jurisdictions.AsNoTracking().FirstOrDefaultAsync(ct);
        (JurisdictionId, AnswerWithToken) = (jurisdiction?.JurisdictionId ?? "", jurisdiction?.AnswerWithToken ?? false);
        Clients = await db.Open311Clients.AsNoTracking().OrderBy(c => c.RevokedAt != null).ThenBy(c => c.Name)
            .Select(c => new ClientRow(c.Id, c.Name, c.KeyPrefix, c.IsEnabled, c.CreatedAt, c.LastUsedAt, c.RevokedAt, c.Scopes)).ToListAsync(ct);
    }
}
