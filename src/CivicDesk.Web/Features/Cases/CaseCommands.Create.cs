using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CivicDesk.Web.Features.Cases;

/// <summary>Creating cases: from a form or a system (Open311, API), from messages in the inbox, from the public report form; grouped creates for bursts; the catch-all service.</summary>
public sealed partial class CaseCommands
{
    public async Task<CaseResult> CreateAsync(NewCase request, CancellationToken ct)
    {
        var (invalid, prepared) = await PrepareAsync(request, ct);
        return invalid ?? CaseResult.Done((await CreatePreparedAsync([prepared!], ct))[0]);
    }

    /// <summary>
    /// Validates here, in the caller's scope, then hands the case to <see cref="CaseCreationQueue"/>, which commits it
    /// together with the other creates that arrived meanwhile (one commit, one fsync, one turn of the audit gate for the
    /// lot, written set-based by <see cref="CreateGroupAsync"/>). Returns once the commit holding it is done. For Open311,
    /// where creates come in bursts. The duplicate check and the estimate always run later (<see cref="NewCase.AssessLater"/>).
    /// </summary>
    public async Task<CaseResult> CreateGroupedAsync(NewCase request, CancellationToken ct)
    {
        var (invalid, prepared) = await PrepareAsync(request with { AssessLater = true }, ct);
        return invalid ?? CaseResult.Done(await queue.CreateAsync(OrganisationId, prepared!, ct));
    }

    /// <summary>
    /// Writes prepared cases in one transaction, each with its messages, reporters, photos, audit event, outbox row and
    /// note, through EF, and commits. Their assessment runs here too unless they asked for it later.
    /// </summary>
    public async Task<IReadOnlyList<Case>> CreatePreparedAsync(IReadOnlyList<PreparedCase> prepared, CancellationToken ct)
    {
        await ReadyAsync(prepared, ct);
        db.Cases.AddRange(prepared.Select(p => p.Case));
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct); // the new cases get their ids
        var rows = RowsOf(prepared);
        db.CaseMessages.AddRange(rows.Messages);
        db.CaseReporters.AddRange(rows.Reporters);
        db.CasePhotos.AddRange(rows.Photos);
        db.CaseUpdates.AddRange(rows.Notes);
        db.CaseEvents.AddRange(rows.Events);
        db.AuditEvents.AddRange(rows.Audit);
        var assessNow = prepared.Where(p => !p.Request.AssessLater).Select(p => p.Case).ToList();
        if (assessNow.Count > 0)
        {
            foreach (var step in assessmentSteps)
            {
                await step.RunAsync(assessNow, ct);
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return [.. prepared.Select(p => p.Case)];
    }

    /// <summary>
    /// Writes a group of prepared cases that are all to be assessed later (<see cref="CaseCreationQueue"/>, Open311) in
    /// one transaction, set-based: the same rows as <see cref="CreatePreparedAsync"/> (built by the same code), written
    /// with <see cref="EntityWriter{T}"/> and the audit events sealed by <see cref="AuditRows"/>, with no change tracking.
    /// EF's tracking of seven rows a case and its two saves a batch were the largest single cost of an Open311 create
    /// (bench/README.md, sessions 12, 13 and 15). Nothing is tracked afterwards, so no save interceptor sees these
    /// cases: the caller evicts what they make stale (the public map). A unique clash (a reference or an audit sequence
    /// taken by another node meanwhile) fails the whole transaction, and the queue tries each case again on its own.
    /// </summary>
    public async Task<IReadOnlyList<Case>> CreateGroupAsync(IReadOnlyList<PreparedCase> prepared, CancellationToken ct)
    {
        if (prepared.Any(p => !p.Request.AssessLater))
        {
            throw new ArgumentException("A grouped create leaves the assessment to CaseAssessmentWorker.", nameof(prepared));
        }

        await ReadyAsync(prepared, ct);
        var cases = prepared.Select(p => p.Case).ToList();
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        await InsertAsync(cases, databaseIds: true); // the new cases get their ids
        var rows = RowsOf(prepared);
        await InsertAsync(rows.Messages, databaseIds: false); // keyed by (case, message)
        await InsertAsync(rows.Reporters, databaseIds: true);
        await InsertAsync(rows.Photos, databaseIds: true);
        await InsertAsync(rows.Notes, databaseIds: true);
        await InsertAsync(rows.Events, databaseIds: true);
        await AuditRows.AppendAsync(db.Provider, connection, transaction, rows.Audit, ct);
        await tx.CommitAsync(ct);
        return cases;

        async Task InsertAsync<T>(List<T> entities, bool databaseIds) where T : class
        {
            if (entities.Count > 0)
            {
                using var writer = new EntityWriter<T>(db.Model, db.Provider, databaseIds);
                await writer.WriteAsync(connection, transaction, entities, ct);
            }
        }
    }

    /// <summary>
    /// Before the cases' INSERT: references checked, the creation steps run and the assessment marked, so what they set
    /// goes in with the row (set after it, each was an UPDATE per case in a second save: session 12's profile).
    /// </summary>
    private async Task ReadyAsync(IReadOnlyList<PreparedCase> prepared, CancellationToken ct)
    {
        // References are drawn at random when a case is prepared (6 characters of 32: about a billion); one query per
        // batch finds any already taken, instead of one per case on the request path. Two nodes drawing the same one at
        // the same instant meet the unique index: the batch fails and each case is tried again on its own, checked here
        // afresh.
        var drawn = prepared.Select(p => p.Case.Reference).ToList();
        var taken = (await db.Cases.IgnoreQueryFilters().AsNoTracking().Where(c => drawn.Contains(c.Reference)).Select(c => c.Reference).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in prepared)
        {
            // Taken in the database, or by another case of this batch.
            while (taken.Contains(p.Case.Reference) || !used.Add(p.Case.Reference))
            {
                p.Case.Reference = await NewReferenceAsync(ct);
            }

            foreach (var step in creationSteps)
            {
                await step.RunAsync(p.Case, ct);
            }

            if (p.Request.AssessLater)
            {
                p.Case.AssessmentDueAt = p.Case.CreatedAt;
            }
        }
    }

    /// <summary>The rows new cases get besides themselves (their ids known), in the order each case's rows are written.</summary>
    private NewCaseRows RowsOf(IReadOnlyList<PreparedCase> prepared)
    {
        var rows = new NewCaseRows();
        var now = Now;
        foreach (var (request, c, serviceName, messages, note) in prepared)
        {
            var conversations = new HashSet<long>();
            foreach (var m in messages)
            {
                rows.Messages.Add(new CaseMessage { OrganisationId = c.OrganisationId, CaseId = c.Id, MessageId = m.Id, LinkedAt = now, LinkedByStaffId = Actor(null).StaffId });
                if (conversations.Add(m.ConversationId))
                {
                    rows.Reporters.Add(new CaseReporter { OrganisationId = c.OrganisationId, CaseId = c.Id, ConversationId = m.ConversationId, AddedAt = now });
                }

                rows.Photos.AddRange(PhotosOf(c, m, now));
            }

            foreach (var contact in request.Contacts.Where(x => x.Name is not null || x.Email is not null || x.Phone is not null))
            {
                rows.Reporters.Add(new CaseReporter
                {
                    OrganisationId = c.OrganisationId, CaseId = c.Id, Name = contact.Name, Email = contact.Email, Phone = contact.Phone, AddedAt = now,
                });
            }

            rows.Photos.AddRange(request.Photos.Select(photo => NewPhoto(c, null, photo, now)));
            rows.Audit.Add(AuditEventFor(request.Actor, "case.created", c.Id, null,
                $"{c.Reference}: {serviceName}, from {c.Source}, {messages.Count} message(s), {request.Contacts.Count + messages.Select(m => m.ConversationId).Distinct().Count()} reporter(s)"));
            rows.Events.Add(NewEvent(c, CaseEventType.Created, now));
            if (note is not null)
            {
                // As AddUpdateAsync records an internal note, in this transaction instead of a second one.
                var who = Actor(request.Actor);
                rows.Notes.Add(new CaseUpdate
                {
                    OrganisationId = c.OrganisationId, CaseId = c.Id, Kind = CaseUpdateKind.InternalNote, Text = note, IsPublic = false,
                    StaffId = who.StaffId, AuthorName = who.Name, CreatedAt = now,
                });
                rows.Audit.Add(AuditEventFor(request.Actor, "case.note-added", c.Id, null, $"{note.Length} characters"));
                rows.Events.Add(NewEvent(c, CaseEventType.Updated, now));
            }
        }

        return rows;
    }

    private sealed class NewCaseRows
    {
        public List<CaseMessage> Messages { get; } = [];
        public List<CaseReporter> Reporters { get; } = [];
        public List<CasePhoto> Photos { get; } = [];
        public List<CaseUpdate> Notes { get; } = [];
        public List<CaseEvent> Events { get; } = [];
        public List<AuditEvent> Audit { get; } = [];
    }

    /// <summary>
    /// Validates a new case and builds it (not added to any context; reads only): the error, or the case with what
    /// its rows need, for <see cref="CreatePreparedAsync"/> in this scope or another.
    /// </summary>
    public async Task<(CaseResult? Invalid, PreparedCase? Prepared)> PrepareAsync(NewCase request, CancellationToken ct)
    {
        var orgId = OrganisationId;
        var title = request.Title.Trim();
        var description = request.Description.Trim();
        if (title.Length == 0)
        {
            return (CaseResult.Invalid("Title", "Enter a title"), null);
        }

        if (title.Length > MaxTitleLength)
        {
            return (CaseResult.Invalid("Title", $"Title must be {MaxTitleLength} characters or fewer"), null);
        }

        if (description.Length > Message.MaxTextLength)
        {
            return (CaseResult.Invalid("Description", $"Description must be {Message.MaxTextLength} characters or fewer"), null);
        }

        if (request.Latitude is { } lat && (lat is < -90 or > 90) || request.Longitude is { } lon && (lon is < -180 or > 180)
            || request.Latitude.HasValue != request.Longitude.HasValue)
        {
            return (CaseResult.Invalid("Latitude", "Enter a latitude and a longitude in degrees, or neither"), null);
        }

        var note = string.IsNullOrWhiteSpace(request.InternalNote) ? null : request.InternalNote.Trim();
        if (note?.Length > MaxUpdateLength)
        {
            return (CaseResult.Invalid("InternalNote", $"Note must be {MaxUpdateLength} characters or fewer"), null);
        }

        var catalog = await CatalogAsync(ct);
        if (!catalog.Services.TryGetValue(request.ServiceCode, out var service))
        {
            return (CaseResult.Invalid("ServiceCode", "Select a service"), null);
        }

        var messages = request.MessageIds.Count == 0 ? [] : await db.Messages.Where(m => request.MessageIds.Contains(m.Id)).ToListAsync(ct);
        if (messages.Count != request.MessageIds.Distinct().Count())
        {
            return (CaseResult.Invalid("MessageIds", "Select messages from this organisation"), null);
        }

        if (await PurposeLimitationRefusalAsync(messages, ct) is { } refusal)
        {
            return (CaseResult.Invalid("MessageIds", refusal), null);
        }

        long? teamId = request.TeamId ?? service.TeamId;
        if (teamId is { } t && !catalog.TeamIds.Contains(t))
        {
            return (CaseResult.Invalid("TeamId", "Select a team"), null);
        }

        teamId ??= catalog.DefaultTeamId;
        var located = messages.FirstOrDefault(m => m.Latitude is not null && m.Longitude is not null);
        var now = Now;
        var c = new Case
        {
            OrganisationId = orgId,
            // Checked against the database by CreatePreparedAsync, once for the whole batch it is written in.
            Reference = References.NewCaseReference(),
            ServiceCode = service.Code,
            Title = title,
            Description = description,
            Latitude = request.Latitude ?? located?.Latitude,
            Longitude = request.Longitude ?? located?.Longitude,
            Address = string.IsNullOrWhiteSpace(request.Address) ? null : request.Address.Trim(),
            Priority = request.Priority ?? (messages.Any(m => m.IsUrgent) ? Priority.Urgent : Priority.Normal),
            TeamId = teamId,
            Source = request.Source,
            CreatedAt = now,
            UpdatedAt = now,
            DueAt = request.DueAt,
            Open311Token = request.Open311Token,
            ExternalReference = request.ExternalReference,
            NonPublic = request.NonPublic,
        };
        return (null, new PreparedCase(request, c, service.Name, messages, note));
    }

    /// <summary>"Create case" in the conversation view: one or more messages become a case; their authors its reporters.</summary>
    public async Task<CaseResult> CreateFromMessagesAsync(IReadOnlyList<long> messageIds, string? serviceCode, string? title, CaseActor? actor, CancellationToken ct)
    {
        if (messageIds.Count == 0)
        {
            return CaseResult.Invalid("MessageIds", "Select at least one message");
        }

        var messages = await db.Messages.Where(m => messageIds.Contains(m.Id) && m.Direction == MessageDirection.Inbound)
            .OrderBy(m => m.CreatedAt).ToListAsync(ct);
        if (messages.Count == 0)
        {
            return CaseResult.Invalid("MessageIds", "Select at least one message from a citizen");
        }

        var code = string.IsNullOrEmpty(serviceCode) ? await ServiceForCategoryAsync(messages.Select(m => m.Category).FirstOrDefault(x => x is not null), ct) : serviceCode;
        var conversation = await db.Conversations.AsNoTracking().Where(x => x.Id == messages[0].ConversationId)
            .Select(x => new { x.AssignedTeamId, x.Priority }).SingleAsync(ct);
        var service = await db.CaseServices.AsNoTracking().Where(s => s.Code == code).Select(s => new { s.TeamId }).SingleOrDefaultAsync(ct);
        return await CreateAsync(new NewCase
        {
            ServiceCode = code ?? "",
            Title = string.IsNullOrWhiteSpace(title) ? PostNormaliser.Subject(messages[0].Text) : title,
            Description = Truncate(string.Join("\n\n", messages.Select(m => m.Text)), Message.MaxTextLength),
            Source = CaseSource.Message,
            Priority = messages.Any(m => m.IsUrgent) ? Priority.Urgent : conversation.Priority,
            TeamId = service?.TeamId ?? conversation.AssignedTeamId,
            MessageIds = messages.Select(m => m.Id).ToList(),
            Actor = actor,
        }, ct);
    }

    /// <summary>
    /// Every public report-form submission becomes a case: the form's category is the service when the organisation
    /// has it, else triage's category, else the general service. Photos and location come with the message.
    /// </summary>
    public async Task<CaseResult> CreateFromReportAsync(long messageId, string? category, string? postcode, CancellationToken ct)
    {
        var message = await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == messageId, ct);
        if (message is null)
        {
            return CaseResult.NotFound;
        }

        var existing = await db.CaseMessages.Where(x => x.MessageId == messageId)
            .Join(db.Cases, x => x.CaseId, c => c.Id, (x, c) => c).FirstOrDefaultAsync(ct);
        if (existing is not null)
        {
            return new CaseResult(CaseOutcome.AlreadyApplied, existing);
        }

        var code = category is not null && await db.CaseServices.AnyAsync(s => s.Code == category && s.IsActive, ct)
            ? category
            : await ServiceForCategoryAsync(message.Category, ct);
        var routedTeam = await db.Conversations.Where(x => x.Id == message.ConversationId).Select(x => x.AssignedTeamId).SingleAsync(ct);
        var serviceTeam = await db.CaseServices.Where(s => s.Code == code).Select(s => s.TeamId).SingleOrDefaultAsync(ct);
        return await CreateAsync(new NewCase
        {
            ServiceCode = code,
            Title = PostNormaliser.Subject(message.Text),
            Description = message.Text,
            Source = CaseSource.WebForm,
            Address = postcode,
            TeamId = serviceTeam ?? routedTeam,
            MessageIds = [messageId],
            Actor = new CaseActor(null, "web form"),
        }, ct);
    }

    /// <summary>The service for a triage category: the same code when the organisation has it, else the general one.</summary>
    public async Task<string> ServiceForCategoryAsync(string? category, CancellationToken ct)
    {
        if (category is not null && await db.CaseServices.AnyAsync(s => s.Code == category && s.IsActive, ct))
        {
            return category;
        }

        return await EnsureGeneralServiceAsync(ct);
    }

    /// <summary>
    /// The catch-all service every organisation needs so that every report can become a case, created on first use
    /// (assigned to the default team).
    /// </summary>
    public async Task<string> EnsureGeneralServiceAsync(CancellationToken ct)
    {
        if (await db.CaseServices.AnyAsync(s => s.Code == GeneralServiceCode, ct))
        {
            return GeneralServiceCode;
        }

        var team = await db.Teams.Where(x => x.IsDefault).Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
        var service = new CaseService
        {
            OrganisationId = OrganisationId, Code = GeneralServiceCode, Name = "Something else", Group = "Other", TeamId = team, CreatedAt = Now,
        };
        db.CaseServices.Add(service);
        Audit(null, "case-service.created", GeneralServiceCode, null, service.Name);
        await db.SaveChangesAsync(ct);
        return GeneralServiceCode;
    }
}
