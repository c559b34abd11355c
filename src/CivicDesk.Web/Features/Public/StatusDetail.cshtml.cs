using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Public;

/// <summary>
/// What a citizen may see about their report: reference, date, status in plain words, the team and the replies that
/// were actually sent. Never internal notes, staff names, the raw payload or anyone else's messages.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class StatusDetailModel(PublicOrganisationResolver organisations, CivicDeskDb db) : PageModel
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public string Reference { get; private set; } = "";
    public string Reported { get; private set; } = "";
    public string Status { get; private set; } = "";
    public string StatusTag { get; private set; } = "govuk-tag--grey";
    public string? Team { get; private set; }
    public string OrganisationName { get; private set; } = "";
    public IReadOnlyList<PublicReply> Replies { get; private set; } = [];

    public sealed record PublicReply(string Sent, string Text);

    public async Task<IActionResult> OnGetAsync(string reference, CancellationToken ct)
    {
        var org = organisations.Current;
        OrganisationName = org.Name;
        var canonical = StatusModel.Canonical(reference);
        var conversation = canonical is null ? null : await db.Conversations.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.OrganisationId == org.Id && c.Reference == canonical)
            .Select(c => new { c.Id, c.Reference, c.CreatedAt, c.Status, Team = c.AssignedTeam == null ? null : c.AssignedTeam.Name })
            .FirstOrDefaultAsync(ct);
        if (conversation is null)
        {
            // Our own page, not the generic one: say what to check. The status code still says "not found".
            Response.StatusCode = StatusCodes.Status404NotFound;
            Reference = canonical ?? "";
            return Page();
        }

        var zone = TimeZones.Find(org.TimeZoneId);
        Reference = conversation.Reference;
        Reported = Format(conversation.CreatedAt, zone);
        Status = PlainStatus(conversation.Status);
        StatusTag = conversation.Status switch
        {
            ConversationStatus.New => "govuk-tag--blue",
            ConversationStatus.Open => "govuk-tag--yellow",
            ConversationStatus.WaitingOnCitizen => "govuk-tag--purple",
            ConversationStatus.Resolved => "govuk-tag--green",
            _ => "govuk-tag--grey",
        };
        Team = conversation.Team;
        // Only replies whose outbox row says Sent: a reply still queued, or that failed, has not reached the citizen.
        var replies = await (
                from o in db.OutboundMessages.IgnoreQueryFilters()
                join m in db.Messages.IgnoreQueryFilters() on o.MessageId equals m.Id
                where o.OrganisationId == org.Id && o.ConversationId == conversation.Id && o.Status == OutboundStatus.Sent
                      && m.ConversationId == conversation.Id && m.Direction == MessageDirection.Outbound
                orderby o.SentAt, m.Id
                select new { m.Text, o.SentAt, m.CreatedAt })
            .ToListAsync(ct);
        Replies = replies.Select(r => new PublicReply(Format(r.SentAt ?? r.CreatedAt, zone), r.Text)).ToList();
        return Page();
    }

    public bool Found => Status.Length > 0;

    public static string PlainStatus(ConversationStatus status) => status switch
    {
        ConversationStatus.New => "Received",
        ConversationStatus.Open => "Being looked at",
        ConversationStatus.WaitingOnCitizen => "We have replied",
        ConversationStatus.Resolved => "Resolved",
        ConversationStatus.Closed => "Closed",
        _ => "Received",
    };

    private static string Format(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        // GOV.UK style: 4 June 2026 at 3:15pm
        return local.ToString("d MMMM yyyy", EnGb) + " at " + local.ToString("h:mmtt", EnGb).ToLowerInvariant();
    }
}

/// <summary>Organisation time zones, falling back to UK time when a zone id is unknown on this machine.</summary>
internal static class TimeZones
{
    public static TimeZoneInfo Find(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone
        : TimeZoneInfo.TryFindSystemTimeZoneById("Europe/London", out var london) ? london : TimeZoneInfo.Utc;
}
