using System.Security.Cryptography;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Open311;

/// <summary>
/// Open311 on top of the case domain: services are the organisation's active <see cref="CaseService"/>s (group: the
/// service's group, else its team), requests are <see cref="Case"/>s (service_request_id = the case reference), updates
/// are public <see cref="CaseUpdate"/>s; every change goes through <see cref="CaseCommands"/> (audit, outbox, notices).
/// Runs in the scope's organisation, set here from the jurisdiction the call named.
/// </summary>
public sealed class CaseOpen311Cases(CivicDeskDb db, OrganisationContext organisation, CaseCommands commands) : IOpen311Cases
{
    private static readonly CaseStatus[] OpenStatuses = [.. Enum.GetValues<CaseStatus>().Where(s => s.IsOpen())];

    public async Task<IReadOnlyList<Open311ServiceInfo>> ServicesAsync(long organisationId, CancellationToken ct)
    {
        organisation.Set(organisationId);
        // A left join, not a sub-query per service (issue 13: no per-row sub-queries on the Open311 read paths).
        return await (from s in db.CaseServices.AsNoTracking()
                      where s.IsActive
                      join t in db.Teams.AsNoTracking() on s.TeamId equals (long?)t.Id into teams
                      from t in teams.DefaultIfEmpty()
                      orderby s.Group, s.Name
                      select new Open311ServiceInfo(s.Code, s.Name, s.Description, s.Group ?? (t == null ? null : t.Name), s.Keywords))
            .ToListAsync(ct);
    }

    public async Task<bool> HasServiceAsync(long organisationId, string code, CancellationToken ct)
    {
        organisation.Set(organisationId);
        // The cached catalog the create itself checks (CaseCommands.PrepareAsync): no query per call.
        return await commands.HasActiveServiceAsync(code, ct);
    }

    /// <summary>
    /// A case, its reporter and the internal note with the answers, committed together with the other creates that
    /// arrived meanwhile (<see cref="CaseCreationQueue"/>); the duplicate check and expected_datetime follow within
    /// moments (<see cref="CaseAssessmentWorker"/>, docs/open311.md).
    /// </summary>
    public async Task<CreatedServiceRequest> CreateAsync(NewServiceRequest request, CancellationToken ct)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var name = string.Join(' ', new[] { request.FirstName, request.LastName }.Where(n => !string.IsNullOrWhiteSpace(n) && n != "-"));
        var address = string.Join(", ", new[] { request.AddressString, request.AddressId is { } id && !id.StartsWith('#') ? "address id " + id : null }
            .Where(a => a is not null));
        organisation.Set(request.OrganisationId);
        var result = await commands.CreateGroupedAsync(new NewCase
        {
            ServiceCode = request.ServiceCode,
            Title = Title(request),
            Description = request.Description ?? "",
            Source = CaseSource.Open311,
            Latitude = request.Latitude,
            Longitude = request.Longitude,
            Address = address.Length == 0 ? null : address,
            Contacts = name.Length > 0 || request.Email is not null || request.Phone is not null ? [new ReporterContact(name.Length == 0 ? null : name, request.Email, request.Phone)] : [],
            Photos = request.Photos,
            Open311Token = token,
            // FixMyStreet's own report id, so staff and its later updates can be matched to it.
            ExternalReference = request.Attributes.GetValueOrDefault("fixmystreet_id") is { Length: > 0 and <= 200 } fmsId ? "fixmystreet:" + fmsId : null,
            Actor = new CaseActor(null, "Open311: " + request.ClientName),
            InternalNote = Details(request),
            AssessLater = true,
        }, ct);
        if (result.Outcome != CaseOutcome.Done || result.Case is not { } created)
        {
            return CreatedServiceRequest.Refused(result.Error ?? "The request could not be stored");
        }

        return new CreatedServiceRequest(created.Reference, token);
    }

    /// <summary>Answers to the service's questions (and the client's own ids), for staff as an internal note; null when there are none.</summary>
    private static string? Details(NewServiceRequest request)
    {
        var answers = request.Attributes.Where(a => a.Value.Length > 0).Select(a => $"{a.Key}: {a.Value}").ToList();
        if (request.DeviceId is not null || request.AccountId is not null || request.MediaUrls.Count > 0)
        {
            answers.AddRange(new[] { ("device_id", request.DeviceId), ("account_id", request.AccountId) }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}: {p.Item2}"));
            answers.AddRange(request.MediaUrls.Select(u => "media_url: " + u));
        }

        if (answers.Count == 0)
        {
            return null;
        }

        var text = "Open311 details from " + request.ClientName + ":\n" + string.Join('\n', answers);
        return text.Length > CaseCommands.MaxUpdateLength ? text[..CaseCommands.MaxUpdateLength] : text;
    }

    private static string Title(NewServiceRequest request)
    {
        var title = request.Attributes.GetValueOrDefault("title")
                    ?? request.Description?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0)
                    ?? "Report from " + request.ClientName;
        if (title.StartsWith("title:", StringComparison.OrdinalIgnoreCase))
        {
            title = title[6..].Trim();
        }

        return title.Length > CaseCommands.MaxTitleLength ? title[..CaseCommands.MaxTitleLength] : title.Length == 0 ? "Report from " + request.ClientName : title;
    }

    public async Task<IReadOnlyList<ServiceRequestView>> FindAsync(long organisationId, ServiceRequestQuery query, CancellationToken ct)
    {
        organisation.Set(organisationId);
        // Public: non-public cases never appear; merged duplicates appear as closed (status duplicate).
        var cases = db.Cases.AsNoTracking().Where(c => !c.NonPublic && c.RestrictedBy == null);
        if (query.Ids is { } ids)
        {
            cases = cases.Where(c => ids.Contains(c.Reference));
        }
        else
        {
            cases = cases.Where(c => c.CreatedAt >= query.From && c.CreatedAt <= query.To);
            if (query.ServiceCodes is { } codes)
            {
                cases = cases.Where(c => codes.Contains(c.ServiceCode));
            }

            if (query.Open is { } open)
            {
                cases = open ? cases.Where(c => OpenStatuses.Contains(c.Status)) : cases.Where(c => !OpenStatuses.Contains(c.Status));
            }
        }

        // Four set-based queries whatever the page size (issue 13: no sub-query per row): the cases, then the names of
        // their services and teams, then the latest public note of each case on the page.
        var rows = await cases.OrderByDescending(c => c.CreatedAt).Take(query.Max)
            .Select(c => new
            {
                c.Id, c.Reference, c.Status, c.ServiceCode, c.TeamId, c.Description, c.CreatedAt, c.UpdatedAt, c.ExpectedBy, c.Address, c.Latitude, c.Longitude, c.PublicTextReviewedAt,
            })
            .ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var pageCodes = rows.Select(r => r.ServiceCode).Distinct().ToList();
        var services = await db.CaseServices.AsNoTracking().Where(s => pageCodes.Contains(s.Code))
            .Select(s => new { s.Code, s.Name }).ToListAsync(ct);
        var serviceNames = services.GroupBy(s => s.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var teamIds = rows.Where(r => r.TeamId != null).Select(r => r.TeamId!.Value).Distinct().ToList();
        var teamNames = teamIds.Count == 0 ? [] : await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var caseIds = rows.Select(r => r.Id).ToList();
        var latest = await db.CaseUpdates.AsNoTracking().Where(u => caseIds.Contains(u.CaseId) && u.IsPublic && u.Text != null)
            .GroupBy(u => u.CaseId).Select(g => g.Max(u => u.Id)).ToListAsync(ct);
        var notes = latest.Count == 0 ? [] : await db.CaseUpdates.AsNoTracking().Where(u => latest.Contains(u.Id))
            .ToDictionaryAsync(u => u.CaseId, u => u.Text, ct);
        return rows.Select(r => new ServiceRequestView(r.Reference, r.Status.IsOpen(), notes.GetValueOrDefault(r.Id), r.ServiceCode,
            serviceNames.GetValueOrDefault(r.ServiceCode), r.Description, r.TeamId is { } team ? teamNames.GetValueOrDefault(team) : null, null,
            r.CreatedAt, r.UpdatedAt, r.ExpectedBy, r.Address, null, null, r.Latitude, r.Longitude, null, r.PublicTextReviewedAt != null)).ToList();
    }

    public async Task<(string Token, string? ServiceRequestId)?> FindTokenAsync(long organisationId, string token, CancellationToken ct)
    {
        organisation.Set(organisationId);
        var reference = await db.Cases.AsNoTracking().Where(c => c.Open311Token == token).Select(c => c.Reference).FirstOrDefaultAsync(ct);
        return reference is null ? null : (token, reference);
    }

    public async Task<IReadOnlyList<ServiceRequestUpdateView>> UpdatesAsync(long organisationId, DateTime from, DateTime to, int max, CancellationToken ct)
    {
        organisation.Set(organisationId);
        var rows = await db.CaseUpdates.AsNoTracking()
            .Where(u => u.IsPublic && u.CreatedAt >= from && u.CreatedAt <= to)
            .Join(db.Cases.Where(c => !c.NonPublic && c.RestrictedBy == null), u => u.CaseId, c => c.Id, (u, c) => new
            {
                u.Id, u.ExternalUpdateId, c.Reference, u.StatusAfter, CaseStatus = c.Status, u.CreatedAt, u.Text, u.ExternalStatusCode, c.ExternalReference,
            })
            .OrderBy(r => r.CreatedAt).Take(max).ToListAsync(ct);
        return rows.Select(r => new ServiceRequestUpdateView(r.ExternalUpdateId ?? "cd-" + r.Id, r.Reference, ToOpen311(r.StatusAfter ?? r.CaseStatus), r.CreatedAt, r.Text,
            null, r.ExternalStatusCode, r.ExternalReference)).ToList();
    }

    public async Task<InboundUpdateResult> ApplyUpdateAsync(InboundUpdate update, CancellationToken ct)
    {
        organisation.Set(update.OrganisationId);
        var c = await db.Cases.AsNoTracking().Where(x => x.Reference == update.ServiceRequestId).Select(x => new { x.Id, x.Status, x.UpdatedAt }).FirstOrDefaultAsync(ct);
        if (c is null)
        {
            return new InboundUpdateResult(InboundUpdateOutcome.UnknownRequest, null);
        }

        var external = new ExternalUpdate(update.UpdateId, update.ExternalStatusCode);
        var actor = new CaseActor(null, update.Source);
        // A citizen's comment relayed by FixMyStreet (it carries their name/email): staff read it as a note; it may
        // reopen a closed case but never closes one. A back office's update is public and may move the status.
        var fromCitizen = update.Email is not null || update.FirstName is not null;
        var target = fromCitizen
            ? update.Status is Open311Status.Reopen or Open311Status.Open && !c.Status.IsOpen() ? CaseStatus.Reopened : (CaseStatus?)null
            : Target(update.Status, c.Status);
        // Never let an update older than the case's last change overwrite its state (FixMyStreet's rule too).
        if (update.UpdatedAt < c.UpdatedAt.AddSeconds(-1) && !fromCitizen)
        {
            target = null;
        }

        var text = update.Description?.Trim();
        if (fromCitizen && !string.IsNullOrEmpty(text))
        {
            var who = string.Join(' ', new[] { update.FirstName, update.LastName }.Where(n => !string.IsNullOrWhiteSpace(n) && n != "-"));
            text = $"Update from {(who.Length > 0 ? who : "the reporter")} via {update.Source}:\n{text}";
        }

        CaseResult result;
        if (target is { } next && CaseWorkflow.CanMove(c.Status, next))
        {
            result = await commands.ChangeStatusAsync(c.Id, next, text, isPublic: !fromCitizen, ct, actor, external);
        }
        else if (!string.IsNullOrEmpty(text))
        {
            result = await commands.AddUpdateAsync(c.Id, text, isPublic: !fromCitizen, ct, actor, external);
        }
        else
        {
            // Nothing to change and nothing to say: accepted, and harmless to repeat.
            return new InboundUpdateResult(InboundUpdateOutcome.Applied, update.UpdateId);
        }

        return result.Outcome switch
        {
            CaseOutcome.Done => new InboundUpdateResult(InboundUpdateOutcome.Applied, update.UpdateId),
            CaseOutcome.AlreadyApplied => new InboundUpdateResult(InboundUpdateOutcome.AlreadyApplied, update.UpdateId),
            CaseOutcome.NotFound => new InboundUpdateResult(InboundUpdateOutcome.UnknownRequest, null),
            _ => new InboundUpdateResult(InboundUpdateOutcome.Rejected, null, result.Error),
        };
    }

    /// <summary>The case status an extended status asks for; null when it asks for no change.</summary>
    private static CaseStatus? Target(Open311Status status, CaseStatus current)
    {
        CaseStatus? wanted = status switch
        {
            Open311Status.Open => current.IsOpen() ? null : CaseStatus.Reopened,
            Open311Status.Reopen => CaseStatus.Reopened,
            Open311Status.Closed or Open311Status.Cancelled => CaseStatus.Closed,
            Open311Status.Fixed => CaseStatus.Fixed,
            Open311Status.InProgress => CaseStatus.InProgress,
            Open311Status.ActionScheduled or Open311Status.Planned => CaseStatus.ActionScheduled,
            Open311Status.Investigating => CaseStatus.Investigating,
            Open311Status.NotCouncilsResponsibility => CaseStatus.NotResponsible,
            Open311Status.NoFurtherAction => CaseStatus.NoFurtherAction,
            Open311Status.InternalReferral => CaseStatus.InternalReferral,
            // Duplicates are made by merging in CivicDesk; FOR_TRIAGE and UNCHANGED change nothing.
            _ => null,
        };
        return wanted == current ? null : wanted;
    }

    internal static Open311Status ToOpen311(CaseStatus status) => status switch
    {
        CaseStatus.Open => Open311Status.Open,
        CaseStatus.Investigating => Open311Status.Investigating,
        CaseStatus.InProgress => Open311Status.InProgress,
        CaseStatus.ActionScheduled => Open311Status.ActionScheduled,
        CaseStatus.Fixed => Open311Status.Fixed,
        CaseStatus.Duplicate => Open311Status.Duplicate,
        CaseStatus.NotResponsible => Open311Status.NotCouncilsResponsibility,
        CaseStatus.NoFurtherAction => Open311Status.NoFurtherAction,
        CaseStatus.InternalReferral => Open311Status.InternalReferral,
        CaseStatus.Reopened => Open311Status.Reopen,
        _ => Open311Status.Closed,
    };
}
