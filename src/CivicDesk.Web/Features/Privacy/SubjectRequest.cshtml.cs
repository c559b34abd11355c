using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Privacy;

/// <summary>One request: what was found, the export, erasure with what was kept and why, and closing it.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class SubjectRequestModel(CivicDeskDb db, SubjectAccessSearch search, AuditLog audit, TimeProvider clock) : PageModel
{
    public SubjectRequest Subject { get; private set; } = null!;
    public SubjectData Found { get; private set; } = null!;
    public IReadOnlyList<string> Kept { get; private set; } = [];
    public string? Done { get; private set; }
    public DateTime Now { get; private set; }

    [BindProperty, StringLength(4000, ErrorMessage = "The outcome must be 4,000 characters or fewer")]
    public string? Outcome { get; set; }

    public async Task<IActionResult> OnGetAsync(string reference, CancellationToken ct) =>
        await LoadAsync(reference, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnGetExportAsync(string reference, CancellationToken ct)
    {
        if (!await LoadAsync(reference, ct))
        {
            return NotFound();
        }

        var organisation = await db.Organisations.AsNoTracking().Where(o => o.Id == Subject.OrganisationId).Select(o => o.Name).SingleAsync(ct);
        audit.Record("subject-request.exported", nameof(SubjectRequest), Subject.Reference,
            after: new { conversations = Found.Conversations.Count, messages = Found.MessageCount, cases = Found.Cases.Count });
        await db.SaveChangesAsync(ct);
        return File(SubjectAccessSearch.Export(Subject, Found, organisation), "application/zip", $"{Subject.Reference}.zip");
    }

    public async Task<IActionResult> OnPostEraseAsync(string reference, CancellationToken ct)
    {
        if (!await LoadAsync(reference, ct))
        {
            return NotFound();
        }

        if (Subject.Kind != SubjectRequestKind.Erasure || Subject.Status != SubjectRequestStatus.Open)
        {
            return BadRequest();
        }

        var (erased, kept) = await search.EraseAsync(Subject, Found, ct);
        var tracked = await db.SubjectRequests.SingleAsync(r => r.Id == Subject.Id, ct);
        tracked.Outcome = $"Erased {erased} items." + (kept.Count == 0 ? "" : " Kept: " + string.Join("; ", kept) + ".");
        await db.SaveChangesAsync(ct);
        await LoadAsync(reference, ct);
        Kept = kept;
        Done = $"Erased {erased} items" + (kept.Count == 0 ? "" : $"; {kept.Count} kept with the reason below");
        return Page();
    }

    public async Task<IActionResult> OnPostRestrictAsync(string reference, CancellationToken ct)
    {
        if (!await LoadAsync(reference, ct))
        {
            return NotFound();
        }

        if (Subject.Kind != SubjectRequestKind.Restriction || Subject.Status != SubjectRequestStatus.Open)
        {
            return BadRequest();
        }

        var marked = await search.RestrictAsync(Subject, Found, ct);
        var tracked = await db.SubjectRequests.SingleAsync(r => r.Id == Subject.Id, ct);
        tracked.Outcome = $"Restricted {Found.Conversations.Count} conversation(s) and {Found.Cases.Count} case(s): stored only.";
        await db.SaveChangesAsync(ct);
        await LoadAsync(reference, ct);
        Done = $"Restricted: {marked} conversation(s) and case(s) are now stored only";
        return Page();
    }

    public async Task<IActionResult> OnPostLiftAsync(string reference, CancellationToken ct)
    {
        if (!await LoadAsync(reference, ct))
        {
            return NotFound();
        }

        if (Subject.Kind != SubjectRequestKind.Restriction)
        {
            return BadRequest();
        }

        var lifted = await search.LiftRestrictionAsync(Subject, ct);
        var tracked = await db.SubjectRequests.SingleAsync(r => r.Id == Subject.Id, ct);
        tracked.Outcome = string.Join(' ', new[] { tracked.Outcome, $"Restriction lifted {clock.GetUtcNow().UtcDateTime:d MMM yyyy}." }.Where(x => !string.IsNullOrEmpty(x)));
        await db.SaveChangesAsync(ct);
        await LoadAsync(reference, ct);
        Done = $"Restriction lifted from {lifted} conversation(s) and case(s)";
        return Page();
    }

    /// <summary>Conversations and cases this request has restricted now.</summary>
    public int RestrictedCount { get; private set; }

    public async Task<IActionResult> OnPostCompleteAsync(string reference, CancellationToken ct)
    {
        if (!await LoadAsync(reference, ct))
        {
            return NotFound();
        }

        if (string.IsNullOrWhiteSpace(Outcome) && string.IsNullOrWhiteSpace(Subject.Outcome))
        {
            ModelState.AddModelError(nameof(Outcome), "Say what was done (sent the export, erased, restricted) and anything kept and why");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var tracked = await db.SubjectRequests.SingleAsync(r => r.Id == Subject.Id, ct);
        tracked.Status = SubjectRequestStatus.Completed;
        tracked.CompletedAt = clock.GetUtcNow().UtcDateTime;
        tracked.Outcome = string.Join(' ', new[] { tracked.Outcome, Outcome?.Trim() }.Where(s => !string.IsNullOrEmpty(s)));
        audit.Record("subject-request.completed", nameof(SubjectRequest), tracked.Reference, after: new { onTime = tracked.CompletedAt <= tracked.DueAt });
        await db.SaveChangesAsync(ct);
        return Redirect($"/admin/subject-requests/{tracked.Reference}");
    }

    private async Task<bool> LoadAsync(string reference, CancellationToken ct)
    {
        Now = clock.GetUtcNow().UtcDateTime;
        var wanted = Platform.References.Normalise(reference);
        if (await db.SubjectRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Reference == wanted, ct) is not { } request)
        {
            return false;
        }

        Subject = request;
        Found = await search.FindAsync(request, ct);
        RestrictedCount = await db.Conversations.CountAsync(c => c.RestrictedBy == request.Reference, ct) + await db.Cases.CountAsync(c => c.RestrictedBy == request.Reference, ct);
        return true;
    }
}
