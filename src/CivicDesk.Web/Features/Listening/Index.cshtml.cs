using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Listening;

/// <summary>
/// Listening searches: which public posts the organisation keeps from its network channels. Comms and admins add,
/// change, switch on and off and delete them; every change is audited and refreshes the cached matcher at once.
/// </summary>
[Authorize(Policy = Policies.Staff, Roles = Roles.Comms + "," + Roles.Admin)]
public sealed class IndexModel(CivicDeskDb db, AuditLog audit, ListeningFilter filter, TimeProvider clock) : PageModel
{
    public IReadOnlyList<ListeningSearch> Searches { get; private set; } = [];
    public IReadOnlyList<ErrorLink> Errors { get; private set; } = [];
    public string? Done { get; private set; }

    [BindProperty] public SearchInput Input { get; set; } = new();

    public sealed class SearchInput
    {
        public long? Id { get; set; }

        [Required(ErrorMessage = "Enter a name for the search")]
        [StringLength(120, ErrorMessage = "Name must be 120 characters or fewer")]
        public string? Name { get; set; }

        [Required(ErrorMessage = "Enter at least one term")]
        [StringLength(ListeningSearch.MaxTermsLength, ErrorMessage = "Terms must be 2000 characters or fewer")]
        public string? Terms { get; set; }

        public SearchMatch Match { get; set; } = SearchMatch.Any;
        public bool Enabled { get; set; } = true;

        /// <summary>Listed on the public listening register: the default, so monitoring is done in the open.</summary>
        public bool Public { get; set; } = true;

        [StringLength(500, ErrorMessage = "The reason must be 500 characters or fewer")]
        public string? PrivateReason { get; set; }

        [StringLength(500, ErrorMessage = "The purpose must be 500 characters or fewer")]
        public string? Purpose { get; set; }

        [StringLength(200, ErrorMessage = "The legal basis must be 200 characters or fewer")]
        public string? LegalBasis { get; set; }
    }

    public async Task OnGetAsync(long? id, CancellationToken ct)
    {
        if (id is { } editing && await db.ListeningSearches.AsNoTracking().FirstOrDefaultAsync(s => s.Id == editing, ct) is { } s)
        {
            Input = new SearchInput
            {
                Id = s.Id, Name = s.Name, Terms = s.Terms, Match = s.Match, Enabled = s.IsEnabled, Public = s.IsPublic, PrivateReason = s.PrivateReason,
                Purpose = s.Purpose, LegalBasis = s.LegalBasis,
            };
        }

        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        var terms = Normalise(Input.Terms);
        if (ModelState.IsValid && terms.Length == 0)
        {
            ModelState.AddModelError("Input.Terms", "Enter at least one term");
        }

        if (!Input.Public && string.IsNullOrWhiteSpace(Input.PrivateReason))
        {
            // Keeping a search off the public register is the exception, so it needs a reason on record.
            ModelState.AddModelError("Input.PrivateReason", "Enter why this search must not be on the public register");
        }

        if (Input.Public && string.IsNullOrWhiteSpace(Input.Purpose))
        {
            ModelState.AddModelError("Input.Purpose", "Enter why we listen for this, for the public register");
        }

        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, "Input_Name");
            await LoadAsync(ct);
            return Page();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        ListeningSearch search;
        if (Input.Id is { } id)
        {
            if (await db.ListeningSearches.FirstOrDefaultAsync(s => s.Id == id, ct) is not { } existing)
            {
                return NotFound();
            }

            var before = Describe(existing);
            var old = (existing.Name, existing.Terms, existing.Match, existing.IsEnabled, existing.IsPublic, existing.Purpose, existing.LegalBasis);
            (existing.Name, existing.Terms, existing.Match, existing.IsEnabled, existing.UpdatedAt) = (Input.Name!.Trim(), terms, Input.Match, Input.Enabled, now);
            ApplyRegister(existing);
            audit.Record("listening-search.changed", nameof(ListeningSearch), existing.Id, before, Describe(existing));
            foreach (var change in ListeningRegisterText.Changes(old, existing))
            {
                db.ListeningSearchChanges.Add(new ListeningSearchChange { OrganisationId = existing.OrganisationId, ListeningSearchId = existing.Id, At = now, Change = change });
            }

            search = existing;
        }
        else
        {
            search = new ListeningSearch
            {
                OrganisationId = OrganisationId, Name = Input.Name!.Trim(), Terms = terms, Match = Input.Match, IsEnabled = Input.Enabled, CreatedAt = now, UpdatedAt = now,
            };
            ApplyRegister(search);
            db.ListeningSearches.Add(search);
            await db.SaveChangesAsync(ct);
            audit.Record("listening-search.created", nameof(ListeningSearch), search.Id, after: Describe(search));
            db.ListeningSearchChanges.Add(new ListeningSearchChange
            {
                OrganisationId = search.OrganisationId, ListeningSearchId = search.Id, At = now, Change = "Started listening for: " + string.Join(", ", search.TermList()),
            });
        }

        await db.SaveChangesAsync(ct);
        filter.Invalidate(OrganisationId);
        Done = $"Search “{search.Name}” saved";
        Input = new SearchInput();
        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (await db.ListeningSearches.FirstOrDefaultAsync(s => s.Id == id, ct) is not { } search)
        {
            return NotFound();
        }

        db.ListeningSearches.Remove(search);
        audit.Record("listening-search.deleted", nameof(ListeningSearch), search.Id, Describe(search));
        await db.SaveChangesAsync(ct);
        filter.Invalidate(OrganisationId);
        Done = $"Search “{search.Name}” deleted";
        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    private void ApplyRegister(ListeningSearch s)
    {
        s.IsPublic = Input.Public;
        s.PrivateReason = Input.Public ? null : Input.PrivateReason?.Trim();
        s.Purpose = string.IsNullOrWhiteSpace(Input.Purpose) ? null : Input.Purpose.Trim();
        s.LegalBasis = string.IsNullOrWhiteSpace(Input.LegalBasis) ? null : Input.LegalBasis.Trim();
    }

    private static object Describe(ListeningSearch s) =>
        new { s.Name, s.Terms, match = s.Match.ToString(), enabled = s.IsEnabled, isPublic = s.IsPublic, s.PrivateReason, s.Purpose, s.LegalBasis };

    /// <summary>One term a line, trimmed, blank lines and repeats dropped.</summary>
    private static string Normalise(string? terms) =>
        string.Join('\n', (terms ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase));

    private long OrganisationId => User.OrganisationId() ?? throw new InvalidOperationException("This page needs a signed-in organisation.");

    private async Task LoadAsync(CancellationToken ct) =>
        Searches = await db.ListeningSearches.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
}
