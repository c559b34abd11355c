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
    }

    public async Task OnGetAsync(long? id, CancellationToken ct)
    {
        if (id is { } editing && await db.ListeningSearches.AsNoTracking().FirstOrDefaultAsync(s => s.Id == editing, ct) is { } s)
        {
            Input = new SearchInput { Id = s.Id, Name = s.Name, Terms = s.Terms, Match = s.Match, Enabled = s.IsEnabled };
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
            (existing.Name, existing.Terms, existing.Match, existing.IsEnabled, existing.UpdatedAt) = (Input.Name!.Trim(), terms, Input.Match, Input.Enabled, now);
            audit.Record("listening-search.changed", nameof(ListeningSearch), existing.Id, before, Describe(existing));
            search = existing;
        }
        else
        {
            search = new ListeningSearch
            {
                OrganisationId = OrganisationId, Name = Input.Name!.Trim(), Terms = terms, Match = Input.Match, IsEnabled = Input.Enabled, CreatedAt = now, UpdatedAt = now,
            };
            db.ListeningSearches.Add(search);
            await db.SaveChangesAsync(ct);
            audit.Record("listening-search.created", nameof(ListeningSearch), search.Id, after: Describe(search));
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

    private static object Describe(ListeningSearch s) => new { s.Name, s.Terms, match = s.Match.ToString(), enabled = s.IsEnabled };

    /// <summary>One term a line, trimmed, blank lines and repeats dropped.</summary>
    private static string Normalise(string? terms) =>
        string.Join('\n', (terms ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase));

    private long OrganisationId => User.OrganisationId() ?? throw new InvalidOperationException("This page needs a signed-in organisation.");

    private async Task LoadAsync(CancellationToken ct) =>
        Searches = await db.ListeningSearches.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
}
