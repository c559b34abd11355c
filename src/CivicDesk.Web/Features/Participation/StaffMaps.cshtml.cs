using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record StaffMapRow(long Id, string Slug, string Title, MapGeometryKind Geometry, string Team, bool IsOpen, int Pending, int Verified, int Rejected);

public sealed record ServiceChoice(string Code, string Name);

/// <summary>Staff: every crowd-mapping project with its numbers, and a form to create one.</summary>
[Authorize(Policy = Policies.CaseWorker)]
public sealed class StaffMapsModel(CivicDeskDb db, AuditLog audit, TimeProvider clock) : PageModel
{
    public IReadOnlyList<StaffMapRow> Projects { get; private set; } = [];
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public IReadOnlyList<ServiceChoice> Services { get; private set; } = [];
    [BindProperty] public MapProjectInput Input { get; set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Input.Validate(ModelState, Teams.Select(t => t.Id), Services.Select(s => s.Code));
        var slug = StaffIndexModel.Slug(Input.Title ?? "");
        if (await db.MapProjects.AnyAsync(p => p.Slug == slug, ct))
        {
            ModelState.AddModelError("Input.Title", "A mapping project with this title already exists");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var project = new MapProject { OrganisationId = db.CurrentOrganisationId!.Value, Slug = slug, Title = "", CreatedAt = clock.GetUtcNow().UtcDateTime };
        Input.ApplyTo(project);
        db.MapProjects.Add(project);
        await db.SaveChangesAsync(ct);
        audit.Record("map.project-created", "MapProject", project.Id, after: Input);
        await db.SaveChangesAsync(ct);
        return Redirect($"/participation/maps/{project.Id}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        Services = await db.CaseServices.AsNoTracking().Where(s => s.IsActive).OrderBy(s => s.Name).Select(s => new ServiceChoice(s.Code, s.Name)).ToListAsync(ct);
        Projects = await db.MapProjects.AsNoTracking().OrderByDescending(p => p.CreatedAt)
            .Select(p => new StaffMapRow(p.Id, p.Slug, p.Title, p.Geometry,
                db.Teams.Where(t => t.Id == p.OwnerTeamId).Select(t => t.Name).FirstOrDefault() ?? "", p.IsOpen,
                db.MapFeatures.Count(f => f.MapProjectId == p.Id && f.State == MapFeatureState.Pending),
                db.MapFeatures.Count(f => f.MapProjectId == p.Id && f.State == MapFeatureState.Verified),
                db.MapFeatures.Count(f => f.MapProjectId == p.Id && f.State == MapFeatureState.Rejected)))
            .ToListAsync(ct);
    }
}

/// <summary>The staff form for a mapping project's settings.</summary>
public sealed partial class MapProjectInput
{
    public string? Title { get; set; }
    public string? Description { get; set; }
    public MapGeometryKind Geometry { get; set; }
    public string? Attributes { get; set; }
    public bool PhotoRequired { get; set; }
    public long? OwnerTeamId { get; set; }
    public string? CaseServiceCode { get; set; }
    public string? Colour { get; set; } = "#1d70b8";
    public bool IsOpen { get; set; } = true;

    public void Validate(ModelStateDictionary state, IEnumerable<long> teams, IEnumerable<string> services)
    {
        if (string.IsNullOrWhiteSpace(Title) || Title.Trim().Length > 200) state.AddModelError("Input.Title", "Enter a title of up to 200 characters");
        if ((Description?.Length ?? 0) > 5000) state.AddModelError("Input.Description", "The description must be 5,000 characters or fewer");
        if (!Enum.IsDefined(Geometry)) state.AddModelError("Input.Geometry", "Choose what citizens draw");
        if (MapSchema.Parse(Attributes).Error is { } e) state.AddModelError("Input.Attributes", e);
        if (OwnerTeamId is not { } team || !teams.Contains(team)) state.AddModelError("Input.OwnerTeamId", "Choose the team that owns the project");
        if (!string.IsNullOrEmpty(CaseServiceCode) && !services.Contains(CaseServiceCode)) state.AddModelError("Input.CaseServiceCode", "Choose a case service from the list");
        if (Colour is null || !ColourShape().IsMatch(Colour)) state.AddModelError("Input.Colour", "Enter the colour as # and six hexadecimal digits, like #1d70b8");
    }

    public void ApplyTo(MapProject p)
    {
        p.Title = Title!.Trim();
        p.Description = Description?.Trim() ?? "";
        p.Geometry = Geometry;
        p.AttributesJson = MapSchema.ToJson(MapSchema.Parse(Attributes).Schema!);
        p.PhotoRequired = PhotoRequired;
        p.OwnerTeamId = OwnerTeamId!.Value;
        p.CaseServiceCode = string.IsNullOrEmpty(CaseServiceCode) ? null : CaseServiceCode;
        p.Colour = Colour!.ToLowerInvariant();
        p.IsOpen = IsOpen;
    }

    public static MapProjectInput From(MapProject p) => new()
    {
        Title = p.Title, Description = p.Description, Geometry = p.Geometry, Attributes = MapSchema.ToLines(MapSchema.FromJson(p.AttributesJson)),
        PhotoRequired = p.PhotoRequired, OwnerTeamId = p.OwnerTeamId, CaseServiceCode = p.CaseServiceCode, Colour = p.Colour, IsOpen = p.IsOpen,
    };

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex ColourShape();
}
