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

/// <summary>Subject access, erasure and restriction requests: log one, see what is due when.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class SubjectRequestsModel(CivicDeskDb db, AuditLog audit, TimeProvider clock) : PageModel
{
    public IReadOnlyList<SubjectRequest> Requests { get; private set; } = [];
    public IReadOnlyList<ErrorLink> Errors { get; private set; } = [];
    public DateTime Now { get; private set; }

    [BindProperty] public RequestInput Input { get; set; } = new();

    public sealed class RequestInput
    {
        public SubjectRequestKind Kind { get; set; } = SubjectRequestKind.Access;

        [Required(ErrorMessage = "Enter the requester's name")]
        [StringLength(200, ErrorMessage = "Name must be 200 characters or fewer")]
        public string? RequesterName { get; set; }

        [StringLength(2000)] public string? Emails { get; set; }
        [StringLength(2000)] public string? Handles { get; set; }
        [StringLength(2000)] public string? Names { get; set; }
        [StringLength(2000)] public string? References { get; set; }

        /// <summary>Date received (yyyy-mm-dd); the statutory month runs from it. Empty: today.</summary>
        public DateOnly? ReceivedOn { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Now = clock.GetUtcNow().UtcDateTime;
        if (string.IsNullOrWhiteSpace(Input.Emails) && string.IsNullOrWhiteSpace(Input.Handles) && string.IsNullOrWhiteSpace(Input.References))
        {
            ModelState.AddModelError("Input.Emails", "Enter at least one email address, handle or reference to search for");
        }

        if (Input.ReceivedOn is { } on && on.ToDateTime(TimeOnly.MinValue) > Now)
        {
            ModelState.AddModelError("Input.ReceivedOn", "The date received must be today or in the past");
        }

        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, "Input_RequesterName");
            await LoadAsync(ct);
            return Page();
        }

        var received = Input.ReceivedOn?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) ?? Now;
        var request = new SubjectRequest
        {
            OrganisationId = User.OrganisationId() ?? throw new InvalidOperationException("No organisation."),
            Reference = Platform.References.NewSubjectRequestReference(), Kind = Input.Kind, Status = SubjectRequestStatus.Open,
            RequesterName = Input.RequesterName!.Trim(), Emails = Clean(Input.Emails), Handles = Clean(Input.Handles), Names = Clean(Input.Names),
            References = Clean(Input.References), ReceivedAt = received, DueAt = StatutoryDue(received), CreatedByStaffId = User.StaffId(),
        };
        db.SubjectRequests.Add(request);
        // The identifiers are personal data themselves: the audit says who logged what kind, not whom it is about.
        audit.Record("subject-request.logged", nameof(SubjectRequest), request.Reference, after: new { kind = request.Kind.ToString(), due = request.DueAt });
        await db.SaveChangesAsync(ct);
        return Redirect($"/admin/subject-requests/{request.Reference}");
    }

    /// <summary>UK GDPR Art. 12(3): one month from receipt; the ICO reads that as the corresponding calendar date next month (or its last day).</summary>
    public static DateTime StatutoryDue(DateTime received) => received.Date.AddMonths(1);

    private static string Clean(string? lines) => string.Join('\n', SubjectIdentifiers.Lines(lines));

    private async Task LoadAsync(CancellationToken ct)
    {
        Now = clock.GetUtcNow().UtcDateTime;
        Requests = await db.SubjectRequests.AsNoTracking().OrderBy(r => r.Status).ThenBy(r => r.DueAt).Take(200).ToListAsync(ct);
    }
}
