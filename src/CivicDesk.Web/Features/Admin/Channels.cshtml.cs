using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Admin;

/// <summary>
/// The organisation's channels: list, add an ingest API channel, rotate a key (shown once, stored as a hash),
/// deactivate or reactivate. Every change is audited; keys and hashes never go into the audit trail.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class ChannelsModel(CivicDeskDb db, AuditLog audit, TimeProvider clock) : PageModel
{
    public IReadOnlyList<ChannelRow> Channels { get; private set; } = [];

    /// <summary>Bound by the create handler only, so the other buttons are not validated against it.</summary>
    public NewChannelInput NewChannel { get; private set; } = new();

    /// <summary>A key just created; rendered in this response only.</summary>
    public string? NewKey { get; private set; }
    public string? NewKeyChannel { get; private set; }
    public string? Done { get; private set; }

    public sealed record ChannelRow(long Id, ChannelKind Kind, string Name, string? Account, bool IsActive, bool HasKey, DateTime CreatedAt)
    {
        public bool CanHaveKey => Kind == ChannelKind.Api || HasKey;
    }

    public sealed class NewChannelInput
    {
        [Required(ErrorMessage = "Enter a name for the channel")]
        [StringLength(120, ErrorMessage = "Name must be 120 characters or fewer")]
        public string? Name { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(NewChannelInput newChannel, CancellationToken ct)
    {
        NewChannel = newChannel;
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }

        var key = ApiKeys.Generate();
        var channel = new Channel
        {
            OrganisationId = OrganisationId, Kind = ChannelKind.Api, Name = NewChannel.Name!.Trim(), ApiKeyHash = ApiKeys.Hash(key),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Channels.Add(channel);
        await db.SaveChangesAsync(ct);
        audit.Record("channel.created", nameof(Channel), channel.Id, after: new { kind = channel.Kind.ToString(), channel.Name, keyIssued = true });
        await db.SaveChangesAsync(ct);
        (NewKey, NewKeyChannel) = (key, channel.Name);
        NewChannel = new NewChannelInput();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRotateAsync(long id, CancellationToken ct)
    {
        if (await db.Channels.FirstOrDefaultAsync(c => c.Id == id, ct) is not { } channel)
        {
            return NotFound();
        }

        if (channel.Kind != ChannelKind.Api && channel.ApiKeyHash is null)
        {
            return BadRequest();
        }

        var key = ApiKeys.Generate();
        var hadKey = channel.ApiKeyHash is not null;
        channel.ApiKeyHash = ApiKeys.Hash(key);
        audit.Record("channel.key-rotated", nameof(Channel), channel.Id, before: new { hadKey }, after: new { keyIssued = true });
        await db.SaveChangesAsync(ct);
        (NewKey, NewKeyChannel) = (key, channel.Name);
        await LoadAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostDeactivateAsync(long id, CancellationToken ct) => SetActiveAsync(id, false, ct);

    public Task<IActionResult> OnPostActivateAsync(long id, CancellationToken ct) => SetActiveAsync(id, true, ct);

    private async Task<IActionResult> SetActiveAsync(long id, bool active, CancellationToken ct)
    {
        if (await db.Channels.FirstOrDefaultAsync(c => c.Id == id, ct) is not { } channel)
        {
            return NotFound();
        }

        if (channel.IsActive != active)
        {
            channel.IsActive = active;
            audit.Record(active ? "channel.activated" : "channel.deactivated", nameof(Channel), channel.Id,
                before: new { isActive = !active }, after: new { isActive = active });
            await db.SaveChangesAsync(ct);
        }

        Done = $"{channel.Name} is now {(active ? "active" : "inactive")}";
        await LoadAsync(ct);
        return Page();
    }

    private long OrganisationId => User.OrganisationId() ?? throw new InvalidOperationException("An admin page needs a signed-in organisation.");

    private async Task LoadAsync(CancellationToken ct) =>
        // Query filters restrict this to the signed-in admin's organisation.
        Channels = await db.Channels.AsNoTracking().OrderBy(c => c.Kind).ThenBy(c => c.Name)
            .Select(c => new ChannelRow(c.Id, c.Kind, c.Name, c.Account, c.IsActive, c.ApiKeyHash != null, c.CreatedAt))
            .ToListAsync(ct);
}
