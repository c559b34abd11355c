using System.Text.Json.Nodes;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record StaffMapFeatureRow(long Id, string Name, MapFeatureState State, string? RejectedReason, IReadOnlyList<(string Label, string Value)> Values,
    bool HasPhoto, string? CaseReference, DateTime CreatedAt, bool FromCitizen);

/// <summary>Staff: one crowd-mapping project — settings, features to verify or reject, cases, GeoJSON import and the exports.</summary>
[Authorize(Policy = Policies.CaseWorker)]
public sealed class StaffMapProjectModel(CivicDeskDb db, MapProjects maps, AuditLog audit, PhotoStore photos) : PageModel
{
    public const int ListLimit = 200;

    public MapProject Project { get; private set; } = null!;
    public IReadOnlyList<MapAttribute> Schema { get; private set; } = [];
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public IReadOnlyList<ServiceChoice> Services { get; private set; } = [];
    public IReadOnlyList<StaffMapFeatureRow> Pending { get; private set; } = [];
    public IReadOnlyList<StaffMapFeatureRow> Reviewed { get; private set; } = [];
    public int PendingCount { get; private set; }
    public int VerifiedCount { get; private set; }
    public int RejectedCount { get; private set; }
    public bool HasFeatures => PendingCount + VerifiedCount + RejectedCount > 0;

    /// <summary>One week of the project: features added (drawn or imported), verified, and distinct citizens drawing.</summary>
    public sealed record MapWeek(DateOnly WeekOf, int Added, int Verified, int Contributors);

    public IReadOnlyList<MapWeek> Weeks { get; private set; } = [];

    /// <summary>The project's numbers by week, as a Chart.js chart with the same numbers as a table and CSV (the shared chart partial).</summary>
    public ChartModel WeeklyChart => new()
    {
        Id = "map-weeks", Title = "Contributions by week", HeadingLevel = 2, Kind = ChartKind.Bar, LabelHeading = "Week from", TimeUnit = "week",
        Description = "Features added (drawn by citizens or imported), features verified, and distinct citizens who drew one, by week starting Monday (UTC).",
        Labels = [.. Weeks.Select(w => w.WeekOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))],
        Series =
        [
            new ChartSeries("Added", [.. Weeks.Select(w => (double?)w.Added)]),
            new ChartSeries("Verified", [.. Weeks.Select(w => (double?)w.Verified)]),
            new ChartSeries("Contributors", [.. Weeks.Select(w => (double?)w.Contributors)]),
        ],
    };
    [BindProperty] public MapProjectInput Input { get; set; } = new();
    [BindProperty] public long? FeatureId { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public IFormFile? Upload { get; set; }
    [TempData] public string? Notice { get; set; }
    /// <summary>Why an import was refused (reason plus line or feature index), shown in the error summary.</summary>
    public string? ImportError { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Input = MapProjectInput.From(Project);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (HasFeatures) Input.Geometry = Project.Geometry;
        Input.Validate(ModelState, Teams.Select(t => t.Id), Services.Select(s => s.Code));
        if (!ModelState.IsValid) return Page();
        var tracked = await db.MapProjects.FirstAsync(p => p.Id == id, ct);
        var before = MapProjectInput.From(tracked);
        Input.ApplyTo(tracked);
        audit.Record("map.project-updated", "MapProject", id, before: before, after: Input);
        await db.SaveChangesAsync(ct);
        Notice = "Project saved.";
        return Redirect($"/participation/maps/{id}");
    }

    public async Task<IActionResult> OnPostVerifyAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (FeatureId is not { } f || !await maps.VerifyAsync(id, f, ct)) return NotFound();
        Notice = $"Feature {f} verified: it is on the public map.";
        return Redirect($"/participation/maps/{id}");
    }

    public async Task<IActionResult> OnPostRejectAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (await maps.RejectAsync(id, FeatureId ?? 0, Reason, ct) is { } error)
        {
            ModelState.AddModelError($"Reason-{FeatureId}", error);
            return Page();
        }

        Notice = $"Feature {FeatureId} rejected.";
        return Redirect($"/participation/maps/{id}");
    }

    public async Task<IActionResult> OnPostCaseAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var (opened, error) = await maps.OpenCaseAsync(Project, FeatureId ?? 0, ct);
        if (error is not null)
        {
            ModelState.AddModelError($"Case-{FeatureId}", error);
            return Page();
        }

        Notice = $"Case {opened!.Reference} opened for feature {FeatureId}.";
        return Redirect($"/participation/maps/{id}");
    }

    public async Task<IActionResult> OnPostImportAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Upload is null || Upload.Length == 0)
        {
            ImportError = "Select a GeoJSON file";
        }
        else
        {
            await using var stream = Upload.OpenReadStream();
            var result = await maps.ImportAsync(Project, stream, Upload.FileName, ct);
            if (result.Problem is { } problem)
            {
                ImportError = $"{Path.GetFileName(Upload.FileName)} was not imported, nothing was added. {problem}";
            }
            else
            {
                Notice = $"{result.Imported} features imported from {Path.GetFileName(Upload.FileName)}.";
                return Redirect($"/participation/maps/{id}");
            }
        }

        ModelState.AddModelError(nameof(Upload), ImportError);
        return Page();
    }

    /// <summary>Every feature with its state, for the staff map (GeoJSON; properties: id, state).</summary>
    public async Task<IActionResult> OnGetLayerAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var features = await db.MapFeatures.AsNoTracking().Where(f => f.MapProjectId == id && f.State != MapFeatureState.Rejected)
            .OrderBy(f => f.Id).Select(f => new { f.Id, f.GeometryJson, f.State }).ToListAsync(ct);
        var array = new JsonArray();
        foreach (var f in features)
        {
            array.Add(new JsonObject
            {
                ["type"] = "Feature", ["geometry"] = JsonNode.Parse(f.GeometryJson),
                ["properties"] = new JsonObject { ["id"] = f.Id, ["state"] = f.State.ToString().ToLowerInvariant() },
            });
        }

        return Content(new JsonObject { ["type"] = "FeatureCollection", ["features"] = array }.ToJsonString(), "application/geo+json");
    }

    public async Task<IActionResult> OnGetPhotoAsync(long id, long feature, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var file = await db.MapFeatures.Where(f => f.Id == feature && f.MapProjectId == id).Select(f => f.PhotoFile).FirstOrDefaultAsync(ct);
        if (file is null || !Guid.TryParseExact(file, "N", out var guid) || photos.Find(Project.OrganisationId, guid) is not { } found)
        {
            return NotFound();
        }

        return PhysicalFile(found.Path, found.Kind.ContentType);
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        if (await db.MapProjects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is not { } project)
        {
            return false;
        }

        Project = project;
        Schema = MapSchema.FromJson(project.AttributesJson);
        Teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        Services = await db.CaseServices.AsNoTracking().Where(s => s.IsActive).OrderBy(s => s.Name).Select(s => new ServiceChoice(s.Code, s.Name)).ToListAsync(ct);
        var counts = await db.MapFeatures.AsNoTracking().Where(f => f.MapProjectId == id).GroupBy(f => f.State)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        PendingCount = counts.FirstOrDefault(c => c.Key == MapFeatureState.Pending)?.Count ?? 0;
        VerifiedCount = counts.FirstOrDefault(c => c.Key == MapFeatureState.Verified)?.Count ?? 0;
        RejectedCount = counts.FirstOrDefault(c => c.Key == MapFeatureState.Rejected)?.Count ?? 0;
        Weeks = Weekly(await db.MapFeatures.AsNoTracking().Where(f => f.MapProjectId == id)
            .Select(f => new FeatureDates(f.CreatedAt, f.State == MapFeatureState.Verified ? f.ReviewedAt : null, f.CitizenAccountId)).ToListAsync(ct));
        Pending = await RowsAsync(db.MapFeatures.Where(f => f.MapProjectId == id && f.State == MapFeatureState.Pending).OrderBy(f => f.Id), ct);
        Reviewed = await RowsAsync(db.MapFeatures.Where(f => f.MapProjectId == id && f.State != MapFeatureState.Pending)
            .OrderByDescending(f => f.ReviewedAt).ThenByDescending(f => f.Id), ct);
        return true;
    }

    private sealed record FeatureDates(DateTime CreatedAt, DateTime? VerifiedAt, long? CitizenAccountId);

    /// <summary>Every week from the first feature to the last event, empty weeks included (a chart with gaps would mislead).</summary>
    private static List<MapWeek> Weekly(IReadOnlyList<FeatureDates> features)
    {
        if (features.Count == 0)
        {
            return [];
        }

        static DateOnly Monday(DateTime at)
        {
            var day = DateOnly.FromDateTime(at);
            return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        }

        var first = Monday(features.Min(f => f.CreatedAt));
        var last = Monday(features.Max(f => f.VerifiedAt is { } v && v > f.CreatedAt ? v : f.CreatedAt));
        var weeks = new List<MapWeek>();
        for (var week = first; week <= last; week = week.AddDays(7))
        {
            var added = features.Where(f => Monday(f.CreatedAt) == week).ToList();
            weeks.Add(new MapWeek(week, added.Count, features.Count(f => f.VerifiedAt is { } v && Monday(v) == week),
                added.Where(f => f.CitizenAccountId is not null).Select(f => f.CitizenAccountId).Distinct().Count()));
        }

        return weeks;
    }

    private async Task<IReadOnlyList<StaffMapFeatureRow>> RowsAsync(IQueryable<MapFeature> query, CancellationToken ct)
    {
        var rows = await query.AsNoTracking().Take(ListLimit)
            .Select(f => new { f, Case = db.Cases.Where(c => c.Id == f.CaseId).Select(c => c.Reference).FirstOrDefault() }).ToListAsync(ct);
        return rows.Select(r => new StaffMapFeatureRow(r.f.Id, r.f.ExternalId ?? r.f.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r.f.State,
            r.f.RejectedReason, Schema.Select(a => (a.Label, MapSchema.ValueOf(r.f.AttributesJson, a.Name))).Where(x => x.Item2.Length > 0).ToList(),
            r.f.PhotoFile is not null, r.Case, r.f.CreatedAt, r.f.CitizenAccountId is not null)).ToList();
    }
}
