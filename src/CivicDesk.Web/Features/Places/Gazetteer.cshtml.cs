using CivicDesk.Triage.Places;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Places;

/// <summary>
/// The organisation's gazetteer: how many streets, a search, and a CSV import that replaces the streets in one
/// transaction. A file with any bad row changes nothing and lists every problem by line. Imports are audited.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class GazetteerModel(CivicDeskDb db, OrganisationContext organisation, GazetteerCache cache, AuditLog audit) : PageModel
{
    public const long MaxFileBytes = 20 * 1024 * 1024;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }

    public int Count { get; private set; }
    public IReadOnlyList<GazetteerEntry> Results { get; private set; } = [];
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public string? Done { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            Errors = ["Choose a CSV file to import."];
        }
        else if (file.Length > MaxFileBytes)
        {
            Errors = [$"The file is larger than {MaxFileBytes / 1024 / 1024} MB."];
        }
        else
        {
            using var reader = new StreamReader(file.OpenReadStream());
            var (rows, errors) = GazetteerCsv.Read(reader);
            Errors = errors;
            if (errors.Count == 0)
            {
                var orgId = organisation.OrganisationId ?? throw new InvalidOperationException("No organisation.");
                var before = await db.GazetteerStreets.CountAsync(ct);
                await using var transaction = await db.BeginWriteTransactionAsync(ct);
                await db.GazetteerStreets.ExecuteDeleteAsync(ct);
                db.GazetteerStreets.AddRange(rows.Select(r => new GazetteerStreet
                {
                    OrganisationId = orgId, Name = r.Name, Locality = r.Locality, Latitude = r.Latitude, Longitude = r.Longitude,
                }));
                audit.Record("gazetteer.imported", "Organisation", orgId, new { streets = before }, new { streets = rows.Count });
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                cache.Invalidate(orgId);
                Done = $"Imported {rows.Count:N0} streets; they replace the {before:N0} there were.";
            }
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Count = await db.GazetteerStreets.CountAsync(ct);
        if (!string.IsNullOrWhiteSpace(Q) && organisation.OrganisationId is { } orgId)
        {
            Results = (await cache.ForAsync(orgId, ct)).Search(Q, 50);
        }
    }
}
