using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Features.Open311;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Demo;

/// <summary>
/// Demo mode: jurisdiction <c>demo</c>, a "FixMyStreet (demo)" client whose key is <c>CIVICDESK_DEMO_OPEN311_KEY</c> when
/// set (else generated once and kept in the data directory, like the demo passwords), and the pothole service's
/// definition (depth, road type).
/// </summary>
public static class DemoOpen311
{
    public const string KeyVariable = "CIVICDESK_DEMO_OPEN311_KEY";
    public const string JurisdictionId = "demo";
    public const string ClientName = "FixMyStreet (demo)";
    public const string KeyFileName = "demo-open311-key.txt";

    /// <summary>The demo's service codes that get a service definition.</summary>
    public static readonly IReadOnlyList<Open311ServiceAttribute> Definitions =
    [
        new() { OrganisationId = 0, ServiceCode = "potholes", Code = "depth", Datatype = Open311Datatype.SingleValueList, Required = true, Order = 1,
            Description = "How deep is the pothole?", Values = [new("under-5cm", "Less than 5cm"), new("5-10cm", "5cm to 10cm"), new("over-10cm", "More than 10cm")] },
        new() { OrganisationId = 0, ServiceCode = "potholes", Code = "road_type", Datatype = Open311Datatype.SingleValueList, Required = false, Order = 2,
            Description = "Where is it?", Values = [new("carriageway", "In the road"), new("footway", "On the pavement"), new("cycleway", "In a cycle lane")] },
        new() { OrganisationId = 0, ServiceCode = "potholes", Code = "near_school", Datatype = Open311Datatype.Line, Required = false, Order = 3,
            Description = "If it is near a school, which one?" },
    ];

    /// <summary>Sets the demo organisation up for Open311 (idempotent) and returns the line to print with the sign-ins.</summary>
    public static async Task<string> SeedAsync(IServiceProvider services, long organisationId, string dataDirectory, CancellationToken ct)
    {
        var db = services.GetRequiredService<CivicDeskDb>();
        var keys = services.GetRequiredService<Open311ClientKeys>();
        await keys.JurisdictionAsync(organisationId, JurisdictionId, ct);
        // The pothole service the definition belongs to, worked by Highways, unless the demo already has one.
        if (!await db.CaseServices.IgnoreQueryFilters().AnyAsync(s => s.OrganisationId == organisationId && s.Code == "potholes", ct))
        {
            var highways = await db.Teams.IgnoreQueryFilters().Where(t => t.OrganisationId == organisationId && t.Slug == "highways").Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
            db.CaseServices.Add(new CaseService
            {
                OrganisationId = organisationId, Code = "potholes", Name = "Potholes", Description = "Holes and cracks in the road surface", Group = "Roads",
                Keywords = "pothole, road surface", TeamId = highways, CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
            });
        }

        foreach (var d in Definitions)
        {
            if (!await db.Open311ServiceAttributes.IgnoreQueryFilters().AnyAsync(a => a.OrganisationId == organisationId && a.ServiceCode == d.ServiceCode && a.Code == d.Code, ct))
            {
                db.Open311ServiceAttributes.Add(new Open311ServiceAttribute
                {
                    OrganisationId = organisationId, ServiceCode = d.ServiceCode, Code = d.Code, Datatype = d.Datatype, Required = d.Required, Order = d.Order,
                    Description = d.Description, Values = [.. d.Values], Variable = d.Variable,
                });
            }
        }

        await db.SaveChangesAsync(ct);

        var envKey = Environment.GetEnvironmentVariable(KeyVariable) is { Length: >= 16 } k ? k.Trim() : null;
        var keyFile = Path.Combine(dataDirectory, KeyFileName);
        var client = await db.Open311Clients.IgnoreQueryFilters().FirstOrDefaultAsync(c => c.OrganisationId == organisationId && c.Name == ClientName && c.RevokedAt == null, ct);
        if (envKey is not null)
        {
            if (client is null)
            {
                await keys.IssueAsync(organisationId, ClientName, ct, envKey);
            }
            else if (client.KeyHash != ApiKeys.Hash(envKey))
            {
                client.KeyHash = ApiKeys.Hash(envKey);
                client.KeyPrefix = envKey[..8];
                await db.SaveChangesAsync(ct);
            }

            return $"Open311 (jurisdiction_id={JurisdictionId}, base URL /open311/v2/): API key from {KeyVariable}";
        }

        if (client is null)
        {
            var (_, key) = await keys.IssueAsync(organisationId, ClientName, ct);
            await File.WriteAllTextAsync(keyFile, key + Environment.NewLine, ct);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var shown = File.Exists(keyFile) ? (await File.ReadAllTextAsync(keyFile, ct)).Trim() : "(generated earlier; issue a new one at /admin/open311)";
        return $"Open311 (jurisdiction_id={JurisdictionId}, base URL /open311/v2/) API key (generated): {shown}";
    }
}
