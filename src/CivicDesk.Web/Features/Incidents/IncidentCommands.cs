using System.Globalization;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>What staff enter to declare an incident.</summary>
public sealed class IncidentInput
{
    public string? Title { get; set; }
    public IncidentSeverity? Severity { get; set; }
    public IncidentAreaKind? AreaKind { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public double? RadiusMetres { get; set; }
    public string? AreaGeoJson { get; set; }
    public string? Keywords { get; set; }
    public string? Guidance { get; set; }
}

/// <summary>What staff enter to post an update.</summary>
public sealed class IncidentUpdateInput
{
    public string? Text { get; set; }
    public IFormFile? Photo { get; set; }
    public string? PhotoAlt { get; set; }
    public List<long> ChannelIds { get; set; } = [];
}

/// <summary>
/// Declare, update, re-word the guidance and stand down. Each change bumps the incident's version (the live page's
/// "anything new?") and writes its audit event in the same SaveChanges.
/// </summary>
public sealed class IncidentCommands(
    CivicDeskDb db,
    AuditLog audit,
    IBroadcaster broadcaster,
    PhotoStore photos,
    IHttpContextAccessor http,
    TimeProvider clock,
    ILogger<IncidentCommands> logger)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<FormOutcome> DeclareAsync(IncidentInput input, CancellationToken ct)
    {
        var errors = new List<ErrorLink>();
        var title = input.Title?.Trim() ?? "";
        if (title.Length == 0)
        {
            errors.Add(new("title", "Enter a title for the incident"));
        }
        else if (title.Length > Incident.MaxTitleLength)
        {
            errors.Add(new("title", $"Title must be {Incident.MaxTitleLength} characters or fewer"));
        }

        if (input.Severity is null)
        {
            errors.Add(new("severity", "Select how severe the incident is"));
        }

        IncidentArea? area = null;
        string? areaError = input.AreaKind switch
        {
            IncidentAreaKind.Radius => IncidentArea.Circle(input.Latitude, input.Longitude, input.RadiusMetres, out area),
            IncidentAreaKind.Polygon => IncidentArea.ParsePolygon(input.AreaGeoJson, out area),
            _ => "Select how the area is given: a circle or a drawn area",
        };
        if (areaError is not null)
        {
            errors.Add(new(input.AreaKind == IncidentAreaKind.Polygon ? "area-geojson" : input.AreaKind == IncidentAreaKind.Radius ? "latitude" : "area-kind", areaError));
        }

        var keywords = NormaliseKeywords(input.Keywords);
        if (keywords.Length > Incident.MaxKeywordsLength)
        {
            errors.Add(new("keywords", $"Keywords must be {Incident.MaxKeywordsLength} characters or fewer"));
        }

        var guidance = NormaliseText(input.Guidance);
        if (guidance.Length == 0)
        {
            errors.Add(new("guidance", "Enter what people should do now"));
        }
        else if (guidance.Length > Incident.MaxGuidanceLength)
        {
            errors.Add(new("guidance", $"Guidance must be {Incident.MaxGuidanceLength} characters or fewer"));
        }

        if (errors.Count > 0)
        {
            return FormOutcome.Fail(errors);
        }

        var now = Now;
        var organisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation.");
        var user = http.HttpContext!.User;
        var incident = new Incident
        {
            OrganisationId = organisationId,
            Slug = await UniqueSlugAsync(title, now, ct),
            Title = title,
            Severity = input.Severity!.Value,
            AreaKind = input.AreaKind!.Value,
            CentreLatitude = input.AreaKind == IncidentAreaKind.Radius ? input.Latitude : null,
            CentreLongitude = input.AreaKind == IncidentAreaKind.Radius ? input.Longitude : null,
            RadiusMetres = input.AreaKind == IncidentAreaKind.Radius ? input.RadiusMetres : null,
            // Stored as parsed and re-written, so what is kept is exactly the geometry that was checked.
            AreaGeoJson = input.AreaKind == IncidentAreaKind.Polygon ? area!.ToGeoJson() : null,
            Keywords = keywords,
            Guidance = guidance,
            DeclaredAt = now,
            DeclaredById = user.StaffId(),
            DeclaredByName = user.DisplayNameOf(),
            UpdatedAt = now,
            Version = 1,
        };
        db.Incidents.Add(incident);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record("incident.declared", "Incident", incident.Id, null, new
        {
            incident.Title, Severity = incident.Severity.ToString(), Area = Describe(incident), incident.Keywords, incident.Slug,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return FormOutcome.Done(incident.Id);
    }

    public async Task<FormOutcome> PostUpdateAsync(long incidentId, IncidentUpdateInput input, string liveUrl, CancellationToken ct)
    {
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == incidentId, ct);
        if (incident is null)
        {
            return FormOutcome.Fail("text", "This incident does not exist");
        }

        var errors = new List<ErrorLink>();
        if (incident.Status != IncidentStatus.Active)
        {
            return FormOutcome.Fail("text", "This incident has been stood down: updates can no longer be posted");
        }

        var text = NormaliseText(input.Text);
        if (text.Length == 0)
        {
            errors.Add(new("text", "Enter the update"));
        }
        else if (text.Length > IncidentUpdate.MaxTextLength)
        {
            errors.Add(new("text", $"Update must be {IncidentUpdate.MaxTextLength} characters or fewer"));
        }

        PhotoKind? kind = null;
        var alt = input.PhotoAlt?.Trim() ?? "";
        if (input.Photo is { } photo)
        {
            var (k, error) = await PhotoStore.CheckAsync(photo, ct);
            kind = k;
            if (error is not null)
            {
                errors.Add(new("photo", error));
            }

            if (alt.Length == 0)
            {
                errors.Add(new("photo-alt", "Describe the photo for people who cannot see it"));
            }
            else if (alt.Length > IncidentUpdate.MaxAltLength)
            {
                errors.Add(new("photo-alt", $"The description must be {IncidentUpdate.MaxAltLength} characters or fewer"));
            }
        }

        var channels = await ChosenChannelsAsync(input.ChannelIds, ct);
        if (channels is null)
        {
            errors.Add(new("channels", "Choose only the organisation's own social accounts"));
        }
        else if (channels.Count > 0 && text.Length > 0 && errors.Count == 0)
        {
            // Each network's own rules, with the live page's link as it goes out (graphemes on Bluesky, t.co on X),
            // and the photo against each network's size and type limits: refused here, before anything is saved.
            var draft = new List<BroadcastDraftImage>();
            if (input.Photo is { } chosen)
            {
                using var buffer = new MemoryStream();
                await chosen.CopyToAsync(buffer, ct);
                draft.Add(new BroadcastDraftImage(chosen.FileName, buffer.ToArray(), alt));
            }

            foreach (var problem in await broadcaster.CheckAsync(new BroadcastCheck(text, liveUrl, [.. channels.Select(c => c.Id)], draft), ct))
            {
                errors.Add(new(problem.Part switch { BroadcastPart.Image => "photo", BroadcastPart.Channels => "channels", _ => "text" }, problem.Message));
            }
        }

        if (errors.Count > 0)
        {
            return FormOutcome.Fail(errors);
        }

        var now = Now;
        var user = http.HttpContext!.User;
        var update = new IncidentUpdate
        {
            OrganisationId = incident.OrganisationId, IncidentId = incident.Id, Text = text, PostedAt = now,
            PostedById = user.StaffId(), PostedByName = user.DisplayNameOf(), ChannelIds = ChannelIdList.Format(channels!.Select(c => c.Id)),
        };
        AttachmentInfo? saved = null;
        if (input.Photo is { } file && kind is not null)
        {
            saved = await photos.SaveAsync(incident.OrganisationId, file, kind, ct);
            update.PhotoId = Guid.ParseExact(Path.GetFileNameWithoutExtension(saved.StoredPath!), "N");
            update.PhotoContentType = kind.ContentType;
            update.PhotoStoredPath = saved.StoredPath;
            update.PhotoAlt = alt;
        }

        db.IncidentUpdates.Add(update);
        incident.Version++;
        incident.UpdatedAt = now;
        try
        {
            await using var tx = await db.BeginWriteTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            audit.Record("incident.update-posted", "IncidentUpdate", update.Id, null, new
            {
                IncidentId = incident.Id, Characters = text.Length, Photo = update.PhotoId is not null, Channels = update.ChannelIds,
            });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch
        {
            if (saved is not null)
            {
                photos.Delete(incident.OrganisationId, [saved]);
            }

            throw;
        }

        if (channels!.Count > 0)
        {
            await SendAsync(incident, update, liveUrl, ct);
        }

        return FormOutcome.Done(update.Id);
    }

    /// <summary>Hands an update to the publishing service (again, after a failure: the service keys on the update id).</summary>
    public async Task SendAsync(Incident incident, IncidentUpdate update, string liveUrl, CancellationToken ct)
    {
        var channelIds = ChannelIdList.Parse(update.ChannelIds);
        var images = update.PhotoStoredPath is { } path ? [new BroadcastImage(path, update.PhotoContentType!, update.PhotoAlt ?? "")] : Array.Empty<BroadcastImage>();
        string? reference;
        try
        {
            reference = await broadcaster.SubmitAsync(new BroadcastRequest(incident.OrganisationId, "incident-update", update.Id, update.Text, liveUrl, channelIds, images), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Incident update {UpdateId} could not be handed to the publishing service", update.Id);
            reference = null;
        }

        update.PublicationReference = reference;
        audit.Record("incident.update-sent", "IncidentUpdate", update.Id, null,
            reference is null ? $"not queued for channels {update.ChannelIds}" : $"queued as {reference} for channels {update.ChannelIds}");
        await db.SaveChangesAsync(ct);
    }

    public async Task<FormOutcome> ChangeGuidanceAsync(long incidentId, string? guidanceText, CancellationToken ct)
    {
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == incidentId, ct);
        if (incident is null)
        {
            return FormOutcome.Fail("guidance", "This incident does not exist");
        }

        var guidance = NormaliseText(guidanceText);
        if (guidance.Length == 0)
        {
            return FormOutcome.Fail("guidance", "Enter what people should do now");
        }

        if (guidance.Length > Incident.MaxGuidanceLength)
        {
            return FormOutcome.Fail("guidance", $"Guidance must be {Incident.MaxGuidanceLength} characters or fewer");
        }

        if (guidance == incident.Guidance)
        {
            return FormOutcome.Done(incident.Id);
        }

        var before = incident.Guidance;
        incident.Guidance = guidance;
        incident.Version++;
        incident.UpdatedAt = Now;
        audit.Record("incident.guidance-changed", "Incident", incident.Id, before, guidance);
        await db.SaveChangesAsync(ct);
        return FormOutcome.Done(incident.Id);
    }

    public async Task<FormOutcome> StandDownAsync(long incidentId, string? summaryText, CancellationToken ct)
    {
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == incidentId, ct);
        if (incident is null)
        {
            return FormOutcome.Fail("summary", "This incident does not exist");
        }

        if (incident.Status == IncidentStatus.StoodDown)
        {
            return FormOutcome.Fail("summary", "This incident has already been stood down");
        }

        var summary = NormaliseText(summaryText);
        if (summary.Length == 0)
        {
            return FormOutcome.Fail("summary", "Enter a summary of the incident and what was done");
        }

        if (summary.Length > Incident.MaxGuidanceLength)
        {
            return FormOutcome.Fail("summary", $"Summary must be {Incident.MaxGuidanceLength} characters or fewer");
        }

        var now = Now;
        var user = http.HttpContext!.User;
        incident.Status = IncidentStatus.StoodDown;
        incident.StoodDownAt = now;
        incident.StoodDownByName = user.DisplayNameOf();
        incident.Summary = summary;
        incident.Version++;
        incident.UpdatedAt = now;
        audit.Record("incident.stood-down", "Incident", incident.Id, IncidentStatus.Active.ToString(), new
        {
            Summary = summary, Duration = (now - incident.DeclaredAt).ToString(@"d\.hh\:mm", CultureInfo.InvariantCulture),
        });
        await db.SaveChangesAsync(ct);
        return FormOutcome.Done(incident.Id);
    }

    /// <summary>The organisation's own social accounts among <paramref name="ids"/>; null when any id is not one of them.</summary>
    private async Task<List<Channel>?> ChosenChannelsAsync(List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var distinct = ids.Distinct().ToList();
        var kinds = BroadcastChannels.Kinds.ToList();
        var channels = await db.Channels.Where(c => distinct.Contains(c.Id) && c.IsActive && kinds.Contains(c.Kind)).ToListAsync(ct);
        return channels.Count == distinct.Count ? channels : null;
    }

    private async Task<string> UniqueSlugAsync(string title, DateTime now, CancellationToken ct)
    {
        var stem = Slugify(title);
        stem = (stem.Length == 0 ? "incident" : stem) + "-" + now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var taken = await db.Incidents.Where(i => i.Slug.StartsWith(stem)).Select(i => i.Slug).ToListAsync(ct);
        if (!taken.Contains(stem))
        {
            return stem;
        }

        for (var n = 2; ; n++)
        {
            var candidate = $"{stem}-{n}";
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>"Flooding: Bath Road!" → "flooding-bath-road"; ASCII letters and digits only, at most 60 characters.</summary>
    public static string Slugify(string title)
    {
        var sb = new StringBuilder(title.Length);
        foreach (var ch in title.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(ch))
            {
                sb.Append(char.ToLowerInvariant(ch));
            }
            else if (char.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark && sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
        }

        var slug = sb.ToString().Trim('-');
        return slug.Length <= 60 ? slug : slug[..60].TrimEnd('-');
    }

    public static string Describe(Incident incident) => incident.AreaKind == IncidentAreaKind.Radius
        ? string.Create(CultureInfo.InvariantCulture, $"within {incident.RadiusMetres:0} m of {incident.CentreLatitude:0.#####}, {incident.CentreLongitude:0.#####}")
        : "a drawn area";

    private static string NormaliseKeywords(string? keywords) =>
        string.Join(", ", (keywords ?? "").Split([',', '\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(k => k.Length > 1).Distinct(StringComparer.OrdinalIgnoreCase));

    /// <summary>Trimmed, line endings as \n, Unicode NFC (as the ingest pipeline stores citizen text).</summary>
    internal static string NormaliseText(string? text) =>
        (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim().Normalize(NormalizationForm.FormC);
}
