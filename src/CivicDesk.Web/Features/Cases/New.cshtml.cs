using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>
/// Creating cases: the staff "new case" form, and the two actions in the conversation view ("Create case" from the
/// selected messages, "Add to case" to link them to an existing one), which post here and land on the case.
/// </summary>
[Authorize(Policy = Policies.CaseWorker)]
public sealed class NewModel(CivicDeskDb db, ConversationAccess access, CaseCommands commands) : PageModel
{
    public IReadOnlyList<Choice> Services { get; private set; } = [];

    [BindProperty] public string? ServiceCode { get; set; }
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public string? Address { get; set; }
    [BindProperty] public string? Latitude { get; set; }
    [BindProperty] public string? Longitude { get; set; }
    [BindProperty] public Priority? NewPriority { get; set; }
    [BindProperty] public List<long> MessageIds { get; set; } = [];
    [BindProperty] public string? CaseReference { get; set; }
    [BindProperty] public long? ConversationId { get; set; }

    [TempData] public string? Notice { get; set; }

    /// <summary>Shown by the conversation view's case panel (or this page) when a case action there failed.</summary>
    [TempData] public string? CaseError { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Description))
        {
            ModelState.AddModelError(nameof(Description), "Enter a description of the problem");
        }

        double? lat = null, lon = null;
        if (!string.IsNullOrWhiteSpace(Latitude) || !string.IsNullOrWhiteSpace(Longitude))
        {
            if (double.TryParse(Latitude, NumberStyles.Float, CultureInfo.InvariantCulture, out var la)
                && double.TryParse(Longitude, NumberStyles.Float, CultureInfo.InvariantCulture, out var lo))
            {
                (lat, lon) = (la, lo);
            }
            else
            {
                ModelState.AddModelError(nameof(Latitude), "Enter a latitude and a longitude in decimal degrees, like 51.8994 and -2.0783");
            }
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }

        var result = await commands.CreateAsync(new NewCase
        {
            ServiceCode = ServiceCode ?? "", Title = Title ?? "", Description = Description!, Source = CaseSource.Staff,
            Address = Address, Latitude = lat, Longitude = lon, Priority = NewPriority,
        }, ct);
        return await AfterAsync(result, "Case created", ct);
    }

    /// <summary>"Create case" in the conversation view.</summary>
    public async Task<IActionResult> OnPostFromMessagesAsync(CancellationToken ct)
    {
        if (await CheckMessagesAsync(ct) is { } refused)
        {
            return refused;
        }

        var result = await commands.CreateFromMessagesAsync(MessageIds, ServiceCode, Title, null, ct);
        return await AfterAsync(result, "Case created from the conversation", ct);
    }

    /// <summary>"Add to case" in the conversation view: links the selected messages to an existing case.</summary>
    public async Task<IActionResult> OnPostAddMessagesAsync(CancellationToken ct)
    {
        if (await CheckMessagesAsync(ct) is { } refused)
        {
            return refused;
        }

        var viewer = await access.ViewerAsync(ct);
        var wanted = References.Normalise(CaseReference ?? "");
        var target = await db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.Reference == wanted, ct);
        if (target is null || !CaseAccess.CanWorkOn(viewer, target))
        {
            return BackToConversation("Enter the reference of a case you can work on, like CS-7K3F9Q");
        }

        CaseResult result = CaseResult.Done(target);
        foreach (var id in MessageIds)
        {
            result = await commands.LinkMessageAsync(target.Id, id, ct);
            if (!result.Succeeded)
            {
                return BackToConversation(result.Error ?? "The message could not be added to that case");
            }
        }

        Notice = MessageIds.Count == 1 ? "Message added to the case" : $"{MessageIds.Count} messages added to the case";
        return Redirect("/cases/" + target.Reference);
    }

    /// <summary>Every message must exist and be in a conversation the viewer may work on.</summary>
    private async Task<IActionResult?> CheckMessagesAsync(CancellationToken ct)
    {
        MessageIds = MessageIds.Distinct().ToList();
        if (MessageIds.Count == 0)
        {
            return BackToConversation("Select at least one message");
        }

        var viewer = await access.ViewerAsync(ct);
        var conversations = await db.Messages.AsNoTracking().Where(m => MessageIds.Contains(m.Id))
            .Join(db.Conversations, m => m.ConversationId, c => c.Id, (m, c) => new { m.Id, c.AssignedTeamId, c.AssignedStaffId })
            .ToListAsync(ct);
        if (conversations.Count != MessageIds.Count)
        {
            return NotFound();
        }

        return conversations.All(c => ConversationAccess.CanWorkOn(viewer, c.AssignedTeamId, c.AssignedStaffId)) ? null : Forbid();
    }

    private RedirectResult BackToConversation(string error)
    {
        CaseError = error;
        return ConversationId is { } id ? Redirect($"/inbox/conversation/{id}#cases") : Redirect("/cases/new");
    }

    private async Task<IActionResult> AfterAsync(CaseResult result, string notice, CancellationToken ct)
    {
        switch (result.Outcome)
        {
            case CaseOutcome.Done or CaseOutcome.AlreadyApplied:
                Notice = notice;
                return Redirect("/cases/" + result.Case!.Reference);
            case CaseOutcome.NotFound:
                return NotFound();
            default:
                if (ConversationId is not null && MessageIds.Count > 0)
                {
                    return BackToConversation(result.Error ?? "The case could not be created");
                }

                ModelState.AddModelError(result.Field ?? "", result.Error ?? "Check your answers");
                await LoadAsync(ct);
                return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Services = await db.CaseServices.AsNoTracking().Where(s => s.IsActive).OrderBy(s => s.Name).Select(s => new Choice(s.Code, s.Name)).ToListAsync(ct);
}
