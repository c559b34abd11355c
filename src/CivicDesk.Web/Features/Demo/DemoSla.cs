using CivicDesk.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Templates;

namespace CivicDesk.Web.Features.Demo;

/// <summary>Service targets and reply templates for the demo organisation (added to the seeder's next save).</summary>
public static class DemoSla
{
    public static void Add(CivicDeskDb db, long organisationId, IReadOnlyDictionary<string, Team> teamsBySlug, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(teamsBySlug);
        long? Team(string slug) => teamsBySlug.TryGetValue(slug, out var t) ? t.Id : null;
        // Organisation default: first response within a working day, resolution within ten.
        db.SlaPolicies.Add(new SlaPolicy { OrganisationId = organisationId, FirstResponseHours = 8, ResolutionHours = 80, UpdatedAt = now });
        db.SlaPolicies.Add(new SlaPolicy { OrganisationId = organisationId, TeamId = Team("customer-services"), FirstResponseHours = 4, ResolutionHours = 40, UpdatedAt = now });
        db.SlaPolicies.Add(new SlaPolicy { OrganisationId = organisationId, TeamId = Team("highways"), FirstResponseHours = 8, ResolutionHours = 120, UpdatedAt = now });
        db.SlaPolicies.Add(new SlaPolicy { OrganisationId = organisationId, TeamId = Team("highways"), Priority = Priority.Urgent, FirstResponseHours = 1, ResolutionHours = 16, UpdatedAt = now });
        db.SlaPolicies.Add(new SlaPolicy { OrganisationId = organisationId, TeamId = Team("waste"), ServiceCode = "flytipping", FirstResponseHours = 4, ResolutionHours = 24, UpdatedAt = now });

        // Utility emergencies: Emergency Planning answers within the hour, with a template that says who to call.
        db.SlaPolicies.Add(new SlaPolicy { OrganisationId = organisationId, TeamId = Team("emergency-planning"), FirstResponseHours = 1, ResolutionHours = 8, UpdatedAt = now });
        foreach (var category in new[] { ServiceRules.Gas, ServiceRules.Water, ServiceRules.Electricity })
        {
            var rule = ServiceRules.For(category)!;
            db.ReplyTemplates.Add(new ReplyTemplate
            {
                OrganisationId = organisationId, TeamId = Team("emergency-planning"), Name = $"Who to call: {Platform.InboxText.Label(category)}",
                Body = "Thank you for telling us. " + rule.CitizenAdvice + " We have also passed your report on.", CreatedAt = now, UpdatedAt = now,
            });
        }

        foreach (var (name, body) in StarterTemplates.OrganisationWide)
        {
            db.ReplyTemplates.Add(new ReplyTemplate { OrganisationId = organisationId, Name = name, Body = body, CreatedAt = now, UpdatedAt = now });
        }

        foreach (var (name, body) in StarterTemplates.Highways)
        {
            db.ReplyTemplates.Add(new ReplyTemplate { OrganisationId = organisationId, TeamId = Team("highways"), Name = name, Body = body, CreatedAt = now, UpdatedAt = now });
        }
    }
}
