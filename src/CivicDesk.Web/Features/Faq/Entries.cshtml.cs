using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Faq;

/// <summary>The FAQ as staff manage it: every entry (published or not), edit, unpublish, add one by hand.</summary>
[Authorize(Policy = Policies.Comms)]
public sealed class EntriesModel(CivicDeskDb db, QaCommands commands) : FormPage
{
    public IReadOnlyList<FaqEntry> Entries { get; private set; } = [];
    public long? FailedEntryId { get; private set; }

    [BindProperty] public string? FaqQuestion { get; set; }
    [BindProperty] public string? FaqAnswer { get; set; }
    [BindProperty] public string? FaqTopic { get; set; }
    [BindProperty] public bool Published { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(long? entryId, CancellationToken ct)
    {
        var outcome = await commands.SaveEntryAsync(entryId, FaqQuestion, FaqAnswer, FaqTopic, Published, ct);
        if (!outcome.Succeeded)
        {
            await LoadAsync(ct);
            FailedEntryId = entryId;
            var suffix = entryId is { } id ? $"-{id}" : "";
            Errors = outcome.Errors.Select(e => e with { FieldId = e.FieldId + suffix }).ToList();
            return Page();
        }

        Notice = entryId is null ? "FAQ entry added" : "FAQ entry saved";
        return Redirect($"/comms/faq#entry-{outcome.Id}");
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Entries = await db.FaqEntries.AsNoTracking().OrderBy(e => e.Topic).ThenBy(e => e.Question).Take(2000).ToListAsync(ct);
}
