using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Participation;

public sealed record PublicMapFeature(string Name, IReadOnlyList<(string Label, string Value)> Values, double Longitude, double Latitude, DateTime VerifiedOn);

/// <summary>
/// A crowd-mapping project in public: the verified layer with its legend and a table of the same features, and for a
/// signed-in citizen a form to add one (drawn on the map with Leaflet-Geoman, or given as GeoJSON without JavaScript),
/// with the project's attributes and a photo checked by its bytes.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(ParticipationFeature.ContributeRateLimit)]
public sealed class MapProjectPageModel(CivicDeskDb db, CitizenSession session, MapProjects maps, PhotoStore photos, IOptions<PublicOptions> map) : PageModel
{
    public const int TableLimit = 500;

    public MapProject Project { get; private set; } = null!;
    public IReadOnlyList<MapAttribute> Schema { get; private set; } = [];
    public IReadOnlyList<PublicMapFeature> Features { get; private set; } = [];
    public int VerifiedCount { get; private set; }
    public CitizenAccount? Citizen { get; private set; }
    public PublicOptions Map => map.Value;
    [BindProperty] public string? Geometry { get; set; }
    [BindProperty] public Dictionary<string, string?> Values { get; set; } = [];
    [BindProperty] public IFormFile? Photo { get; set; }
    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct) =>
        await LoadAsync(slug, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(string slug, CancellationToken ct)
    {
        if (!await LoadAsync(slug, ct))
        {
            return NotFound();
        }

        if (Citizen is null)
        {
            return Redirect("/participate/sign-in?returnUrl=" + Uri.EscapeDataString($"/participate/maps/{slug}"));
        }

        if (!Project.IsOpen)
        {
            ModelState.AddModelError(nameof(Geometry), "This project is closed: it no longer takes new features");
            return Page();
        }

        string? geometryJson = null;
        if (string.IsNullOrWhiteSpace(Geometry))
        {
            ModelState.AddModelError(nameof(Geometry), Project.Geometry switch
            {
                MapGeometryKind.Point => "Put a point on the map",
                MapGeometryKind.Line => "Draw the line on the map",
                _ => "Draw the area on the map",
            });
        }
        else if (Geometry.Length > 100_000)
        {
            ModelState.AddModelError(nameof(Geometry), "The drawing is too detailed: use fewer points");
        }
        else
        {
            var (geometry, error) = MapGeoJson.CheckGeometry(Geometry, Project.Geometry);
            if (error is not null) ModelState.AddModelError(nameof(Geometry), error);
            else geometryJson = MapGeoJson.Serialize(geometry!);
        }

        var (attributes, errors) = MapSchema.Check(Schema, Values);
        foreach (var (name, message) in errors)
        {
            ModelState.AddModelError($"Values[{name}]", message);
        }

        PhotoKind? kind = null;
        if (Photo is not null)
        {
            var (k, error) = await PhotoStore.CheckAsync(Photo, ct);
            if (error is not null) ModelState.AddModelError(nameof(Photo), error);
            kind = k;
        }
        else if (Project.PhotoRequired)
        {
            ModelState.AddModelError(nameof(Photo), "Select a photo of the feature");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        string? photoFile = null;
        if (Photo is not null && kind is not null)
        {
            var saved = await photos.SaveAsync(Project.OrganisationId, Photo, kind, ct);
            photoFile = Path.GetFileNameWithoutExtension(saved.StoredPath);
        }

        db.MapFeatures.Add(new MapFeature
        {
            OrganisationId = Project.OrganisationId, MapProjectId = Project.Id, CitizenAccountId = Citizen.Id, GeometryJson = geometryJson!,
            AttributesJson = attributes, PhotoFile = photoFile, PhotoContentType = kind?.ContentType, State = MapFeatureState.Pending, CreatedAt = maps.Now,
        });
        await db.SaveChangesAsync(ct);
        Notice = "Thank you. Your feature has been sent: it appears on the public map once a member of staff has checked it.";
        return Redirect($"/participate/maps/{slug}#add");
    }

    private async Task<bool> LoadAsync(string slug, CancellationToken ct)
    {
        if (await db.MapProjects.AsNoTracking().FirstOrDefaultAsync(p => p.Slug == slug, ct) is not { } project)
        {
            return false;
        }

        Project = project;
        Schema = MapSchema.FromJson(project.AttributesJson);
        Citizen = await session.CurrentAsync(ct);
        VerifiedCount = await db.MapFeatures.CountAsync(f => f.MapProjectId == project.Id && f.State == MapFeatureState.Verified, ct);
        var rows = await db.MapFeatures.AsNoTracking().Where(f => f.MapProjectId == project.Id && f.State == MapFeatureState.Verified)
            .OrderByDescending(f => f.ReviewedAt).ThenByDescending(f => f.Id).Take(TableLimit)
            .Select(f => new { f.Id, f.ExternalId, f.GeometryJson, f.AttributesJson, f.ReviewedAt, f.CreatedAt }).ToListAsync(ct);
        Features = rows.Select(r =>
        {
            var at = MapGeoJson.Parse(r.GeometryJson).InteriorPoint;
            return new PublicMapFeature(r.ExternalId ?? r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Schema.Select(a => (a.Label, MapSchema.ValueOf(r.AttributesJson, a.Name))).ToList(), Math.Round(at.X, 5), Math.Round(at.Y, 5), r.ReviewedAt ?? r.CreatedAt);
        }).ToList();
        return true;
    }
}
