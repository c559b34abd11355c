using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Cases;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.IO;

namespace CivicDesk.Web.Features.Participation;

public sealed record MapImportResult(int Imported, GeoJsonProblem? Problem);

/// <summary>
/// Crowd-mapping projects (issue 10, scope 5): import a GeoJSON file all or nothing, export GeoJSON and CSV, verify or
/// reject citizens' features (audited), and turn a verified feature into a case for the project's team.
/// </summary>
public sealed class MapProjects(CivicDeskDb db, AuditLog audit, CaseCommands cases, TimeProvider clock)
{
    public const int MaxReasonLength = 500;
    private static readonly string[] CsvLeadingColumns = ["id", "state", "geometry_type", "longitude", "latitude", "wkt"];

    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Reads the whole file first (<see cref="MapGeoJson.ReadAsync"/>); only a file with no problem is stored, in one
    /// transaction, as verified features (staff brought them). Ids in the file are kept, so an export re-imports identical.
    /// </summary>
    public async Task<MapImportResult> ImportAsync(MapProject project, Stream file, string fileName, CancellationToken ct)
    {
        var (features, problem) = await MapGeoJson.ReadAsync(file, project.Geometry, ct);
        if (problem is not null)
        {
            return new MapImportResult(0, problem);
        }

        var now = Now;
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var previous = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var f in features!)
            {
                db.MapFeatures.Add(new MapFeature
                {
                    OrganisationId = project.OrganisationId, MapProjectId = project.Id, GeometryJson = f.GeometryJson, AttributesJson = f.AttributesJson,
                    ExternalId = f.ExternalId, State = MapFeatureState.Verified, CreatedAt = now, ReviewedAt = now,
                });
            }

            audit.Record("map.imported", "MapProject", project.Id, after: new { File = Path.GetFileName(fileName), Features = features.Count });
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = previous;
        }

        await tx.CommitAsync(ct);
        return new MapImportResult(features.Count, null);
    }

    /// <summary>Verified features in the order they were added (the public layer and the exports).</summary>
    public Task<List<MapFeature>> VerifiedAsync(long projectId, CancellationToken ct) =>
        db.MapFeatures.AsNoTracking().Where(f => f.MapProjectId == projectId && f.State == MapFeatureState.Verified).OrderBy(f => f.Id).ToListAsync(ct);

    /// <summary>
    /// One row per feature: id, state, geometry type, a representative longitude/latitude (the point, or a point on the
    /// line or area), the geometry as WKT, each schema attribute, and the day it was added. Cells that start like a
    /// formula are escaped (citizens typed them); coordinates and number attributes are left as numbers.
    /// </summary>
    public static string Csv(MapProject project, IEnumerable<MapFeature> features)
    {
        var schema = MapSchema.FromJson(project.AttributesJson);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var h in CsvLeadingColumns.Concat(schema.Select(a => a.Name)).Append("added_on"))
        {
            csv.WriteField(h);
        }

        csv.NextRecord();
        var wkt = new WKTWriter { MaxCoordinatesPerLine = int.MaxValue };
        foreach (var f in features)
        {
            var geometry = MapGeoJson.Parse(f.GeometryJson);
            var at = geometry.InteriorPoint;
            csv.WriteField(Safe(f.ExternalId ?? f.Id.ToString(CultureInfo.InvariantCulture)));
            csv.WriteField(f.State.ToString().ToLowerInvariant());
            csv.WriteField(geometry.GeometryType);
            csv.WriteField(Math.Round(at.X, 6).ToString(CultureInfo.InvariantCulture));
            csv.WriteField(Math.Round(at.Y, 6).ToString(CultureInfo.InvariantCulture));
            csv.WriteField(wkt.Write(geometry));
            foreach (var a in schema)
            {
                csv.WriteField(a.Type == MapAttributeType.Number ? MapSchema.ValueOf(f.AttributesJson, a.Name) : Safe(MapSchema.ValueOf(f.AttributesJson, a.Name)));
            }

            csv.WriteField(f.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            csv.NextRecord();
        }

        return writer.ToString();
    }

    /// <summary>Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection); numbers stay numbers.</summary>
    private static string Safe(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    /// <summary>Verifies a pending (or previously rejected) feature; audited. False when there is no such feature.</summary>
    public async Task<bool> VerifyAsync(long projectId, long featureId, CancellationToken ct)
    {
        var feature = await db.MapFeatures.FirstOrDefaultAsync(f => f.Id == featureId && f.MapProjectId == projectId, ct);
        if (feature is null)
        {
            return false;
        }

        var before = feature.State;
        feature.State = MapFeatureState.Verified;
        feature.RejectedReason = null;
        feature.ReviewedAt = Now;
        audit.Record("map.feature-verified", "MapFeature", feature.Id, before: new { State = before }, after: new { feature.State, Project = projectId });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Rejects a feature with a reason (shown to staff; the citizen's feature never reaches the public layer); audited.</summary>
    public async Task<string?> RejectAsync(long projectId, long featureId, string? reason, CancellationToken ct)
    {
        reason = reason?.Trim() ?? "";
        if (reason.Length == 0)
        {
            return "Enter why the feature is rejected";
        }

        if (reason.Length > MaxReasonLength)
        {
            return $"The reason must be {MaxReasonLength} characters or fewer";
        }

        var feature = await db.MapFeatures.FirstOrDefaultAsync(f => f.Id == featureId && f.MapProjectId == projectId, ct);
        if (feature is null)
        {
            return "That feature is not in this project";
        }

        var before = feature.State;
        feature.State = MapFeatureState.Rejected;
        feature.RejectedReason = reason;
        feature.ReviewedAt = Now;
        audit.Record("map.feature-rejected", "MapFeature", feature.Id, before: new { State = before }, after: new { feature.State, Reason = reason, Project = projectId });
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// A verified feature becomes a case in the project's case service for its owner team (a blocked ditch becomes a
    /// drainage case), located at a point on the feature, described by its attributes. Once: a second call answers the same case.
    /// </summary>
    public async Task<(Case? Case, string? Error)> OpenCaseAsync(MapProject project, long featureId, CancellationToken ct)
    {
        var feature = await db.MapFeatures.FirstOrDefaultAsync(f => f.Id == featureId && f.MapProjectId == project.Id, ct);
        if (feature is null)
        {
            return (null, "That feature is not in this project");
        }

        if (feature.CaseId is { } existing)
        {
            return (await db.Cases.AsNoTracking().FirstAsync(c => c.Id == existing, ct), null);
        }

        if (feature.State != MapFeatureState.Verified)
        {
            return (null, "Verify the feature before opening a case from it");
        }

        if (project.CaseServiceCode is not { } service)
        {
            return (null, "Choose the project's case service first (in its settings)");
        }

        var schema = MapSchema.FromJson(project.AttributesJson);
        var at = MapGeoJson.Parse(feature.GeometryJson).InteriorPoint;
        var details = schema.Select(a => (a.Label, Value: MapSchema.ValueOf(feature.AttributesJson, a.Name))).Where(x => x.Value.Length > 0).ToList();
        var title = $"{project.Title}: feature {feature.ExternalId ?? feature.Id.ToString(CultureInfo.InvariantCulture)}"
                    + (details.Count > 0 ? $" ({details[0].Value})" : "");
        var description = $"From the crowd-mapping project “{project.Title}”, feature {feature.Id}.\n"
                          + string.Join("\n", details.Select(d => $"{d.Label}: {d.Value}"));
        var result = await cases.CreateAsync(new NewCase
        {
            ServiceCode = service,
            Title = title.Length > CaseCommands.MaxTitleLength ? title[..CaseCommands.MaxTitleLength] : title,
            Description = description,
            Source = CaseSource.Staff,
            Latitude = Math.Round(at.Y, 6),
            Longitude = Math.Round(at.X, 6),
            TeamId = project.OwnerTeamId,
        }, ct);
        if (!result.Succeeded)
        {
            return (null, result.Error ?? "The case could not be opened");
        }

        feature.CaseId = result.Case!.Id;
        audit.Record("map.feature-case-opened", "MapFeature", feature.Id, after: new { Case = result.Case.Reference, Project = project.Id });
        await db.SaveChangesAsync(ct);
        return (result.Case, null);
    }
}
