using System.Security.Claims;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Platform;

/// <summary>One page staff can reach from a hub: where, what it is for, and which roles see it.</summary>
public sealed record StaffLink(string Href, string Name, string Description, IReadOnlyList<string> Roles)
{
    public bool IsFor(ClaimsPrincipal user) => Roles.Any(user.IsInRole);
}

/// <summary>A group of links on a hub page.</summary>
public sealed record StaffSection(string Heading, IReadOnlyList<StaffLink> Links);

/// <summary>
/// Where staff find the pages they use less often. The primary navigation used to carry every page a role could
/// open (27 links in three rows for an administrator, found in the usability pass): now it carries the daily work,
/// plus two hubs, "Speak" (/comms) and "Settings" (/settings), whose pages list these sections with a line on each
/// page's purpose. Each link names the roles whose policy lets them open the page, so a hub never offers a page that
/// would answer "access denied"; the pages keep their own authorisation (this is navigation, not access control).
/// </summary>
public static class StaffNavigation
{
    private static readonly string[] Admin = [Roles.Admin];
    private static readonly string[] AdminOrLead = [Roles.Admin, Roles.TeamLead];
    private static readonly string[] CommsOrAdmin = [Roles.Comms, Roles.Admin];
    private static readonly string[] Speakers = [Roles.Comms, Roles.Admin, Roles.Trainee];

    public static readonly IReadOnlyList<StaffSection> Speak =
    [
        new("Live information", [
            new("/comms/incidents", "Incidents", "Declare an incident, post verified updates to the live page and the networks, stand it down.", CommsOrAdmin),
            new("/comms/rumours", "Rumours", "Track a claim, gather sightings, publish the facts and a rebuttal.", CommsOrAdmin),
            new("/comms/qa", "Q&A and FAQ", "Run a question session and turn the answers into lasting FAQ entries.", CommsOrAdmin),
        ]),
        new("Publishing", [
            new("/newsroom", "Newsroom", "Write, schedule and publish news posts, with their feeds.", Speakers),
            new("/publishing", "Publishing", "What went to each network, and what failed.", Speakers),
            new("/admin/accounts", "Account register", "Every social account we run, its owners, reviews and activity.", CommsOrAdmin),
            new("/admin/curators", "Guest curators", "Let a named outside person post on one account for a set time.", CommsOrAdmin),
        ]),
    ];

    public static readonly IReadOnlyList<StaffSection> Settings =
    [
        new("Channels and connections", [
            new("/admin/channels", "Channels", "Where messages come from: web form, API and the social accounts.", Admin),
            new("/admin/connectors", "Connectors", "The networks' listeners: their health, checkpoints and errors.", Admin),
            new("/admin/open311", "Open311", "Services and client keys for FixMyStreet and other Open311 clients.", Admin),
            new("/admin/webhooks", "Webhooks", "Case events sent to the CRM and other systems.", Admin),
        ]),
        new("Routing and service", [
            new("/admin/routing", "Routing rules", "Which team receives which messages.", Admin),
            new("/admin/sla", "Service targets", "First-response and resolution targets per team, service and priority.", AdminOrLead),
            new("/admin/templates", "Reply templates", "Saved replies for common questions.", AdminOrLead),
            new("/admin/gazetteer", "Gazetteer", "The streets and places messages are matched to.", Admin),
            new("/admin/emergency-advice", "Emergency advice", "What the public pages tell people to do in an emergency.", Admin),
        ]),
        new("People", [
            new("/admin/trainees", "Trainees", "Who reviews whose replies and posts before they go out.", Admin),
        ]),
        new("Information governance", [
            new("/admin/listening", "Listening", "What we monitor on social media, why, and for how long.", CommsOrAdmin),
            new("/admin/subject-requests", "Subject requests", "Access, erasure and restriction requests, with their due dates.", Admin),
            new("/admin/retention", "Retention", "How long each kind of data is kept, and the purge report.", Admin),
            new("/admin/packs", "Packs", "Share working configuration with other organisations.", Admin),
        ]),
    ];

    /// <summary>The sections with only the links <paramref name="user"/> may open; sections left empty are dropped.</summary>
    public static IReadOnlyList<StaffSection> For(IReadOnlyList<StaffSection> sections, ClaimsPrincipal user) =>
        [.. sections.Select(s => s with { Links = [.. s.Links.Where(l => l.IsFor(user))] }).Where(s => s.Links.Count > 0)];

    /// <summary>True when the hub has at least one page for <paramref name="user"/> (the navigation then shows it).</summary>
    public static bool Shows(IReadOnlyList<StaffSection> sections, ClaimsPrincipal user) =>
        sections.Any(s => s.Links.Any(l => l.IsFor(user)));

    /// <summary>True when <paramref name="path"/> is one of the hub's pages (or below one), so the hub is the current item.</summary>
    public static bool Contains(IReadOnlyList<StaffSection> sections, string path) =>
        sections.SelectMany(s => s.Links).Any(l => path.StartsWith(l.Href, StringComparison.OrdinalIgnoreCase));
}
