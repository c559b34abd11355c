using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>The staff incident room: post updates (with a photo, to chosen channels), re-word guidance, watch the inbound traffic, stand down.</summary>
[Authorize(Policy = Policies.Comms)]
[RequestSizeLimit(PhotoStore.MaxBytes + (2 * 1024 * 1024))]
[RequestFormLimits(MultipartBodyLengthLimit = PhotoStore.MaxBytes + (2 * 1024 * 1024))]
public sealed class ManageModel(CivicDeskDb db, IncidentCommands commands, IncidentTraffic traffic, IBroadcaster broadcaster) : FormPage
{
    public sealed record ChannelChoice(long Id, string Name, ChannelKind Kind);

    public sealed record UpdateRow(IncidentUpdate Update, IReadOnlyList<(string Channel, BroadcastChannelState State)> Deliveries);

    public Incident Incident { get; private set; } = null!;
    public IReadOnlyList<UpdateRow> Updates { get; private set; } = [];
    public IReadOnlyList<ChannelChoice> Channels { get; private set; } = [];
    public IncidentTrafficView Traffic { get; private set; } = null!;
    public ChartModel VolumeChart { get; private set; } = null!;
    public string Zone { get; private set; } = "Europe/London";

    [BindProperty] public IncidentUpdateInput UpdateInput { get; set; } = new();
    [BindProperty] public string? Guidance { get; set; }
    [BindProperty] public string? Summary { get; set; }

    public string LiveUrl => $"{Request.Scheme}://{Request.Host}/incidents/{Incident.Slug}";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostUpdateAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        var outcome = await commands.PostUpdateAsync(id, UpdateInput, LiveUrl, ct);
        if (!outcome.Succeeded)
        {
            Errors = outcome.Errors;
            return Page();
        }

        Notice = "Update published on the live page" + (UpdateInput.ChannelIds.Count > 0 ? " and handed to the publishing service for the chosen channels" : "");
        return Redirect($"/comms/incidents/{id}");
    }

    /// <summary>
    /// The live length check: as the officer types (htmx posts the text and the ticked accounts after a pause), each
    /// account's count by its network's own rule comes back, and one polite status line names the accounts the update
    /// is too long for. The same rules refuse the update on publishing.
    /// </summary>
    public async Task<IActionResult> OnPostMeasureAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        return Partial("_UpdateMeasure", this);
    }

    /// <summary>What the update form shows under <paramref name="channel"/>: the count of the typed text with the live page's link.</summary>
    public BroadcastLength? Measure(ChannelChoice channel) => broadcaster.Measure(channel.Kind, UpdateInput.Text?.Trim() ?? "", LiveUrl);

    public async Task<IActionResult> OnPostSendAgainAsync(long id, long updateId, CancellationToken ct)
    {
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct);
        var update = await db.IncidentUpdates.SingleOrDefaultAsync(u => u.Id == updateId && u.IncidentId == id, ct);
        if (incident is null || update is null)
        {
            return NotFound();
        }

        await commands.SendAsync(incident, update, $"{Request.Scheme}://{Request.Host}/incidents/{incident.Slug}", ct);
        Notice = update.PublicationReference is null ? "The update could not be handed to the publishing service" : "The update was handed to the publishing service again";
        return Redirect($"/comms/incidents/{id}");
    }

    public async Task<IActionResult> OnPostGuidanceAsync(long id, CancellationToken ct)
    {
        var outcome = await commands.ChangeGuidanceAsync(id, Guidance, ct);
        if (!outcome.Succeeded)
        {
            if (!await LoadAsync(id, ct))
            {
                return NotFound();
            }

            Errors = outcome.Errors;
            return Page();
        }

        Notice = "Guidance changed on the live page";
        return Redirect($"/comms/incidents/{id}");
    }

    public async Task<IActionResult> OnPostStandDownAsync(long id, CancellationToken ct)
    {
        var outcome = await commands.StandDownAsync(id, Summary, ct);
        if (!outcome.Succeeded)
        {
            if (!await LoadAsync(id, ct))
            {
                return NotFound();
            }

            Errors = outcome.Errors;
            return Page();
        }

        Notice = "Incident stood down. The banner has gone and the live page shows your summary";
        return Redirect($"/comms/incidents/{id}");
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
        Guidance ??= incident.Guidance;
        var kinds = BroadcastChannels.Kinds.ToList();
        var channels = await db.Channels.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Id, c.Name, c.Kind, c.IsActive }).ToListAsync(ct);
        Channels = channels.Where(c => c.IsActive && kinds.Contains(c.Kind)).Select(c => new ChannelChoice(c.Id, c.Name, c.Kind)).ToList();
        var names = channels.ToDictionary(c => c.Id, c => c.Name);
        var updates = await db.IncidentUpdates.AsNoTracking().Where(u => u.IncidentId == id).OrderByDescending(u => u.PostedAt).ThenByDescending(u => u.Id).ToListAsync(ct);
        var rows = new List<UpdateRow>(updates.Count);
        foreach (var u in updates)
        {
            var ids = ChannelIdList.Parse(u.ChannelIds);
            var states = ids.Count == 0 ? [] : await broadcaster.StatesAsync(u.OrganisationId, u.PublicationReference, ids, ct);
            rows.Add(new UpdateRow(u, states.Select(s => (names.GetValueOrDefault(s.ChannelId, $"channel {s.ChannelId}"), s)).ToList()));
        }

        Updates = rows;
        Traffic = await traffic.ForAsync(incident, ct);
        var recent = Traffic.Volumes.TakeLast(96).ToList();   // the last 24 hours
        VolumeChart = new ChartModel
        {
            Id = "volumes", Title = "Messages per 15 minutes", Kind = ChartKind.Bar, LabelHeading = "From (UK time)", TimeUnit = "hour",
            Description = "Inbound messages from inside the area or mentioning a keyword, per 15 minutes, over the last 24 hours of the incident.",
            Labels = [.. recent.Select(v => LocalTime.ToLocal(v.Start, Zone).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture))],
            Series = [new ChartSeries("Messages", [.. recent.Select(v => (double?)v.Count)])],
        };
        return true;
    }
}
