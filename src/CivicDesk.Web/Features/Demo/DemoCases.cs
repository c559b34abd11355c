using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Features.Public;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Demo;

/// <summary>
/// Demo organisation: one case service per report-form category (worked by the team the demo routing sends that category
/// to), and cases made from the seeded service requests and complaints, oldest first so duplicate suggestions appear;
/// some are then fixed or in progress (internal changes, so the demo queues no replies). Runs once.
/// </summary>
public sealed class DemoCases(CivicDeskDb db, CaseCommands commands, TimeProvider clock, ILogger<DemoCases> logger)
{
    public const int MaxCases = 60;
    private static readonly string[] CaseKinds = ["service_request", "complaint"];

    public async Task<int> SeedAsync(long organisationId, CancellationToken ct)
    {
        // Other features (Open311's demo pothole service) may already have added services of their own; a run that
        // finishes an interrupted one finds some of these.
        var existing = await db.CaseServices.Select(s => s.Code).ToListAsync(ct);

        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Slug, t => t.Id, ct);
        var teamFor = DemoSeeder.CategoryRules.ToDictionary(r => r.Category, r => r.Team);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (code, label) in ServiceCategories.Choices.Where(c => !existing.Contains(c.Value)))
        {
            var team = teamFor.TryGetValue(code, out var slug) && teams.TryGetValue(slug, out var id) ? id : (long?)null;
            db.CaseServices.Add(new CaseService
            {
                OrganisationId = organisationId, Code = code, Name = label, TeamId = team, CreatedAt = now,
                Group = slug switch { "highways" or "street-lighting" or "parking-traffic" => "Roads and streets", "waste" => "Waste and cleaning", null => "Other", _ => "Environment" },
                DuplicateRadiusMetres = code is "flytipping" or "abandoned_vehicles" ? 100 : CaseService.DefaultDuplicateRadiusMetres,
            });
        }

        await db.SaveChangesAsync(ct);
        var codes = ServiceCategories.Choices.Select(c => c.Value).ToList();
        // The newest seeded requests and complaints (not live ones that arrived meanwhile), so a second run picks the
        // same messages; those already in a case (an interrupted run made them) are skipped.
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.Direction == MessageDirection.Inbound && m.Category != null && codes.Contains(m.Category) && m.Kind != null && CaseKinds.Contains(m.Kind)
                && (m.ExternalId.StartsWith(DemoCorpus.ExternalIdPrefix) || m.ExternalId.StartsWith(DemoSeeder.SharedDataPrefix)))
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(MaxCases).Select(m => m.Id).ToListAsync(ct);
        var done = (await db.CaseMessages.AsNoTracking().Where(l => messages.Contains(l.MessageId)).Select(l => l.MessageId).ToListAsync(ct)).ToHashSet();
        var created = 0;
        var index = 0;
        foreach (var id in messages.AsEnumerable().Reverse())
        {
            index++;
            if (done.Contains(id))
            {
                continue;
            }

            var result = await commands.CreateFromMessagesAsync([id], null, null, new CaseActor(null, "demo"), ct);
            if (result.Outcome != CaseOutcome.Done)
            {
                continue;
            }

            created++;
            // By position in the list, not by count made, so a second run gives each case the status the first would have.
            var next = (index % 5) switch { 0 => CaseStatus.Fixed, 1 => CaseStatus.InProgress, 2 => CaseStatus.Investigating, _ => (CaseStatus?)null };
            if (next is { } status)
            {
                await commands.ChangeStatusAsync(result.Case!.Id, status, null, false, ct, new CaseActor(null, "demo"));
            }
        }

        logger.LogInformation("Seeded {Services} demo case services and {Cases} cases", codes.Count, created);
        return created;
    }
}
