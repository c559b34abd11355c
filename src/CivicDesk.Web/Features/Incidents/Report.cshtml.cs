using System.Globalization;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using CsvHelper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>
/// The incident report: timeline (declaration, updates, guidance changes, stand-down, from the audit log), inbound
/// volumes per 15 minutes, response times and channels; as a printable page and as CSV (one long table with a
/// section column, so it opens in any spreadsheet).
/// </summary>
[Authorize(Policy = Policies.Comms)]
public sealed class ReportModel(CivicDeskDb db, IncidentTraffic traffic, IBroadcaster broadcaster) : PageModel
{
    public sealed record TimelineEntry(DateTime At, string What, string By, string Detail);

    public sealed record ChannelLine(string Channel, int Inbound, int UpdatesSent);

    public Incident Incident { get; private set; } = null!;
    public string Zone { get; private set; } = "Europe/London";
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public IncidentTrafficView Traffic { get; private set; } = null!;
    public IReadOnlyList<ChannelLine> Channels { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnGetCsvAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        var sb = new StringBuilder();
        await using (var csv = new CsvWriter(new StringWriter(sb, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))
        {
            foreach (var h in new[] { "section", "time_utc", "item", "value", "detail" })
            {
                csv.WriteField(h);
            }

            await csv.NextRecordAsync();
            async Task Row(string section, DateTime? at, string item, string value, string detail)
            {
                csv.WriteField(section);
                csv.WriteField(at is { } t ? LocalTime.Iso(t) : "");
                csv.WriteField(item);
                csv.WriteField(value);
                // A leading = + - @ makes spreadsheets evaluate a cell (CSV injection): citizen and staff text is quoted safe.
                csv.WriteField(detail.Length > 0 && "=+-@\t\r".Contains(detail[0], StringComparison.Ordinal) ? "'" + detail : detail);
                await csv.NextRecordAsync();
            }

            await Row("incident", Incident.DeclaredAt, "title", Incident.Title, Incident.Severity.ToString());
            foreach (var e in Timeline)
            {
                await Row("timeline", e.At, e.What, e.By, e.Detail);
            }

            foreach (var v in Traffic.Volumes)
            {
                await Row("volume_15min", v.Start, "inbound messages", v.Count.ToString(CultureInfo.InvariantCulture), "");
            }

            var r = Traffic.Responses;
            await Row("responses", null, "answered", r.Answered.ToString(CultureInfo.InvariantCulture), "");
            await Row("responses", null, "unanswered", r.Unanswered.ToString(CultureInfo.InvariantCulture), "");
            await Row("responses", null, "median_minutes", r.Median is { } m ? m.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture) : "", "");
            await Row("responses", null, "p90_minutes", r.Ninetieth is { } p ? p.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture) : "", "");
            foreach (var c in Channels)
            {
                await Row("channel", null, c.Channel, c.Inbound.ToString(CultureInfo.InvariantCulture), $"updates sent: {c.UpdatesSent}");
            }
        }

        return File(Encoding.UTF8.GetBytes(sb.ToString()), "text/csv; charset=utf-8", $"incident-{Incident.Slug}.csv");
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var incident = await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null)
        {
            return false;
        }

        Incident = incident;
        Zone = await db.Organisations.Where(o => o.Id == incident.OrganisationId).Select(o => o.TimeZoneId).SingleAsync(ct);
        var updates = await db.IncidentUpdates.AsNoTracking().Where(u => u.IncidentId == id).ToListAsync(ct);
        var target = id.ToString(CultureInfo.InvariantCulture);
        var events = await db.AuditEvents.AsNoTracking()
            .Where(a => a.TargetType == "Incident" && a.TargetId == target)
            .Select(a => new { a.At, a.Action, a.ActorName, a.After }).ToListAsync(ct);
        var timeline = events.Select(e => new TimelineEntry(e.At, e.Action switch
            {
                "incident.declared" => "Declared",
                "incident.guidance-changed" => "Guidance changed",
                "incident.stood-down" => "Stood down",
                _ => e.Action,
            }, e.ActorName, e.Action == "incident.guidance-changed" ? e.After ?? "" : e.Action == "incident.stood-down" ? incident.Summary ?? "" : ""))
            .Concat(updates.Select(u => new TimelineEntry(u.PostedAt, "Update", u.PostedByName,
                u.Text + (u.PhotoId is null ? "" : " [photo: " + u.PhotoAlt + "]"))))
            .OrderBy(e => e.At).ToList();
        Timeline = timeline;
        Traffic = await traffic.ForAsync(incident, ct);

        var sent = new Dictionary<long, int>();
        foreach (var u in updates)
        {
            var ids = ChannelIdList.Parse(u.ChannelIds);
            if (ids.Count == 0)
            {
                continue;
            }

            foreach (var s in await broadcaster.StatesAsync(u.OrganisationId, u.PublicationReference, ids, ct))
            {
                if (!string.Equals(s.State, UnavailableBroadcaster.NotSent, StringComparison.Ordinal))
                {
                    sent[s.ChannelId] = sent.GetValueOrDefault(s.ChannelId) + 1;
                }
            }
        }

        var names = await db.Channels.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var inbound = Traffic.Messages.GroupBy(m => m.ChannelId).ToDictionary(g => g.Key, g => g.Count());
        Channels = inbound.Keys.Union(sent.Keys)
            .Select(c => new ChannelLine(names.GetValueOrDefault(c, $"channel {c}"), inbound.GetValueOrDefault(c), sent.GetValueOrDefault(c)))
            .OrderByDescending(c => c.Inbound).ThenBy(c => c.Channel).ToList();
        return true;
    }
}
