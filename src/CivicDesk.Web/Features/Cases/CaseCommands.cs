using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

public enum CaseOutcome
{
    Done,
    /// <summary>An update with the same external id was applied before; nothing changed.</summary>
    AlreadyApplied,
    NotFound,
    /// <summary>The caller may see the case but not do this (pages answer 403).</summary>
    Forbidden,
    Invalid,
}

/// <summary>What a case command did; Invalid carries the form field and a message in GOV.UK error-message style.</summary>
public sealed record CaseResult(CaseOutcome Outcome, Case? Case = null, string? Field = null, string? Error = null)
{
    public static readonly CaseResult NotFound = new(CaseOutcome.NotFound);
    public static readonly CaseResult Forbidden = new(CaseOutcome.Forbidden);

    public bool Succeeded => Outcome is CaseOutcome.Done or CaseOutcome.AlreadyApplied;

    public static CaseResult Done(Case c) => new(CaseOutcome.Done, c);

    public static CaseResult Invalid(string field, string error) => new(CaseOutcome.Invalid, null, field, error);
}

/// <summary>A validated new case, built but not yet written (<see cref="CaseCommands.PrepareAsync"/>).</summary>
public sealed record PreparedCase(NewCase Request, Case Case, string ServiceName, IReadOnlyList<Message> Messages, string? Note);

/// <summary>Who did it, when not the signed-in member of staff (an Open311 client, a back-office system).</summary>
public sealed record CaseActor(string? StaffId, string Name);

/// <summary>An update from another system, applied once per <paramref name="UpdateId"/>.</summary>
public sealed record ExternalUpdate(string UpdateId, string? StatusCode = null);

/// <summary>Contact details given with a report that has no conversation (Open311, API). Never shown publicly.</summary>
public sealed record ReporterContact(string? Name, string? Email, string? Phone);

/// <summary>Everything a new case can start with. Messages link their conversations as reporters.</summary>
public sealed record NewCase
{
    public required string ServiceCode { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required CaseSource Source { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public string? Address { get; init; }
    public Priority? Priority { get; init; }
    public long? TeamId { get; init; }
    public DateTime? DueAt { get; init; }
    public IReadOnlyList<long> MessageIds { get; init; } = [];
    public IReadOnlyList<ReporterContact> Contacts { get; init; } = [];
    public IReadOnlyList<AttachmentInfo> Photos { get; init; } = [];
    public string? Open311Token { get; init; }
    public string? ExternalReference { get; init; }
    public bool NonPublic { get; init; }
    public CaseActor? Actor { get; init; }

    /// <summary>An internal note for staff, added with the case in the same transaction (an Open311 client's attribute answers).</summary>
    public string? InternalNote { get; init; }

    /// <summary>
    /// Leave the duplicate check and the expected-by estimate (<see cref="ICaseAssessmentStep"/>) to
    /// <see cref="CaseAssessmentWorker"/>, which runs them within moments, so the caller is answered without them (Open311).
    /// </summary>
    public bool AssessLater { get; init; }
}

/// <summary>
/// Runs while a new case is being created, after it has its id and before the transaction commits, and must stay
/// cheap: the SLA feature fills DueAt from its resolution target.
/// </summary>
public interface ICaseCreationStep
{
    Task RunAsync(Case created, CancellationToken ct);
}

/// <summary>
/// The costlier look at new cases, which reads the organisation's other cases: the duplicate finder stores its
/// candidates, the SLA feature estimates ExpectedBy. Runs in the creating transaction for cases made one at a time,
/// or later, for a batch at once, in <see cref="CaseAssessmentWorker"/> when the case asked for it
/// (<see cref="NewCase.AssessLater"/>). Does not save.
/// </summary>
public interface ICaseAssessmentStep
{
    Task RunAsync(IReadOnlyList<Case> created, CancellationToken ct);
}

/// <summary>
/// Runs when an open case's team or priority changes or it is reopened, before the change is saved: the SLA feature
/// re-estimates its expected-by date, since the queue ahead and the history that apply are different now.
/// </summary>
public interface ICaseChangeStep
{
    Task RunAsync(Case changed, CancellationToken ct);
}

/// <summary>
/// Everything that changes a case. Each command changes the rows, records the audit event and the <see cref="CaseEvent"/>
/// outbox row, and commits them together. Commands run in the current organisation (<see cref="OrganisationContext"/>)
/// and do not check who may see the case: pages check <see cref="CaseAccess"/> first; Open311 and the API are system
/// callers authorised by their key.
/// </summary>
public sealed class CaseCommands(
    CivicDeskDb db,
    AuditLog audit,
    OrganisationContext organisation,
    CaseNotifier notifier,
    IEnumerable<ICaseCreationStep> creationSteps,
    IEnumerable<ICaseAssessmentStep> assessmentSteps,
    IEnumerable<ICaseChangeStep> changeSteps,
    IHttpContextAccessor http,
    CaseCreationQueue queue,
    TimeProvider clock)
{
    public const int MaxTitleLength = 200;
    public const int MaxUpdateLength = 5000;
    public const string GeneralServiceCode = "other";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CaseResult> CreateAsync(NewCase request, CancellationToken ct)
    {
        var (invalid, prepared) = await PrepareAsync(request, ct);
        return invalid ?? CaseResult.Done((await CreatePreparedAsync([prepared!], ct))[0]);
    }

    /// <summary>
    /// Validates here, in the caller's scope, then hands the case to <see cref="CaseCreationQueue"/>, which commits it
    /// together with the other creates that arrived meanwhile (one commit, one fsync, one turn of the audit gate for the
    /// lot). Returns once the commit holding it is done. For Open311, where creates come in bursts.
    /// </summary>
    public async Task<CaseResult> CreateGroupedAsync(NewCase request, CancellationToken ct)
    {
        var (invalid, prepared) = await PrepareAsync(request, ct);
        return invalid ?? CaseResult.Done(await queue.CreateAsync(OrganisationId, prepared!, ct));
    }

    /// <summary>
    /// Writes prepared cases in one transaction, each with its messages, reporters, photos, audit event, outbox row and
    /// note, and commits. Their assessment runs here too unless they asked for it later.
    /// </summary>
    public async Task<IReadOnlyList<Case>> CreatePreparedAsync(IReadOnlyList<PreparedCase> prepared, CancellationToken ct)
    {
        foreach (var p in prepared)
        {
            // Another case of the same batch may have drawn the same reference (each was checked against the database alone).
            if (prepared.Any(o => o != p && o.Case.Reference == p.Case.Reference && db.Entry(o.Case).State == EntityState.Added))
            {
                p.Case.Reference = await NewReferenceAsync(ct);
            }

            db.Cases.Add(p.Case);
        }

        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct); // the new cases get their ids
        var now = Now;
        foreach (var (request, c, serviceName, messages, note) in prepared)
        {
            foreach (var m in messages)
            {
                LinkMessageRows(c, m, now);
            }

            foreach (var contact in request.Contacts.Where(x => x.Name is not null || x.Email is not null || x.Phone is not null))
            {
                db.CaseReporters.Add(new CaseReporter
                {
                    OrganisationId = c.OrganisationId, CaseId = c.Id, Name = contact.Name, Email = contact.Email, Phone = contact.Phone, AddedAt = now,
                });
            }

            foreach (var photo in request.Photos)
            {
                AddPhoto(c, null, photo, now);
            }

            foreach (var step in creationSteps)
            {
                await step.RunAsync(c, ct);
            }

            Audit(request.Actor, "case.created", c.Id, null,
                $"{c.Reference}: {serviceName}, from {c.Source}, {messages.Count} message(s), {request.Contacts.Count + messages.Select(m => m.ConversationId).Distinct().Count()} reporter(s)");
            AddEvent(c, CaseEventType.Created);
            if (note is not null)
            {
                // As AddUpdateAsync records an internal note, in this transaction instead of a second one.
                var who = Actor(request.Actor);
                db.CaseUpdates.Add(new CaseUpdate
                {
                    OrganisationId = c.OrganisationId, CaseId = c.Id, Kind = CaseUpdateKind.InternalNote, Text = note, IsPublic = false,
                    StaffId = who.StaffId, AuthorName = who.Name, CreatedAt = now,
                });
                Audit(request.Actor, "case.note-added", c.Id, null, $"{note.Length} characters");
                AddEvent(c, CaseEventType.Updated);
            }

            if (request.AssessLater)
            {
                c.AssessmentDueAt = now;
            }
        }

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

        var service = await db.CaseServices.AsNoTracking().Where(s => s.Code == request.ServiceCode && s.IsActive)
            .Select(s => new { s.Code, s.Name, s.TeamId }).SingleOrDefaultAsync(ct);
        if (service is null)
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
        if (teamId is { } t && !await db.Teams.AnyAsync(x => x.Id == t, ct))
        {
            return (CaseResult.Invalid("TeamId", "Select a team"), null);
        }

        teamId ??= await db.Teams.Where(x => x.IsDefault).Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
        var located = messages.FirstOrDefault(m => m.Latitude is not null && m.Longitude is not null);
        var now = Now;
        var c = new Case
        {
            OrganisationId = orgId,
            Reference = await NewReferenceAsync(ct),
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

    public async Task<CaseResult> ChangeStatusAsync(long caseId, CaseStatus? to, string? text, bool isPublic, CancellationToken ct,
        CaseActor? actor = null, ExternalUpdate? external = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        if (external is not null && await AlreadyAppliedAsync(external, ct))
        {
            return new CaseResult(CaseOutcome.AlreadyApplied, c);
        }

        if (to is not { } next)
        {
            return CaseResult.Invalid("NewStatus", "Select a status");
        }

        if (next == CaseStatus.Duplicate)
        {
            return CaseResult.Invalid("NewStatus", "To mark a case as a duplicate, merge it into the case it duplicates");
        }

        if (!CaseWorkflow.CanMove(c.Status, next))
        {
            return CaseResult.Invalid("NewStatus", $"A case that is {c.Status.Label().ToLowerInvariant()} cannot be moved to {next.Label().ToLowerInvariant()}");
        }

        text = text?.Trim();
        if (text?.Length > MaxUpdateLength)
        {
            return CaseResult.Invalid("UpdateText", $"Update must be {MaxUpdateLength} characters or fewer");
        }

        var before = c.Status;
        var now = Now;
        c.MoveTo(next, now);
        var who = Actor(actor);
        db.CaseUpdates.Add(new CaseUpdate
        {
            OrganisationId = c.OrganisationId, CaseId = c.Id, Kind = CaseUpdateKind.StatusChange, StatusBefore = before, StatusAfter = next,
            Text = string.IsNullOrEmpty(text) ? null : text, IsPublic = isPublic, StaffId = who.StaffId, AuthorName = who.Name,
            ExternalUpdateId = external?.UpdateId, ExternalStatusCode = external?.StatusCode, CreatedAt = now,
        });
        Audit(actor, "case.status-changed", c.Id, before.Label(), isPublic ? $"{next.Label()} (public)" : next.Label());
        AddEvent(c, next.IsOpen() ? CaseEventType.Updated : CaseEventType.Closed);
        if (next.IsOpen() && !before.IsOpen())
        {
            await ChangedAsync(c, ct); // reopened: it joins the queue again
        }

        await using var tx = await db.BeginWriteTransactionAsync(ct);
        if (isPublic)
        {
            await notifier.QueueAsync(c, CaseNotifier.StatusText(c, next, text), ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        notifier.Ring();
        return CaseResult.Done(c);
    }

    /// <summary>A public update (sent to every reporter and shown on public pages) or an internal note.</summary>
    public async Task<CaseResult> AddUpdateAsync(long caseId, string? text, bool isPublic, CancellationToken ct,
        CaseActor? actor = null, ExternalUpdate? external = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        if (external is not null && await AlreadyAppliedAsync(external, ct))
        {
            return new CaseResult(CaseOutcome.AlreadyApplied, c);
        }

        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return CaseResult.Invalid("UpdateText", isPublic ? "Enter an update" : "Enter a note");
        }

        if (text.Length > MaxUpdateLength)
        {
            return CaseResult.Invalid("UpdateText", $"Update must be {MaxUpdateLength} characters or fewer");
        }

        var now = Now;
        var who = Actor(actor);
        c.UpdatedAt = now;
        db.CaseUpdates.Add(new CaseUpdate
        {
            OrganisationId = c.OrganisationId, CaseId = c.Id, Kind = isPublic ? CaseUpdateKind.PublicUpdate : CaseUpdateKind.InternalNote,
            Text = text, IsPublic = isPublic, StaffId = who.StaffId, AuthorName = who.Name,
            ExternalUpdateId = external?.UpdateId, ExternalStatusCode = external?.StatusCode, CreatedAt = now,
        });
        Audit(actor, isPublic ? "case.update-added" : "case.note-added", c.Id, null, $"{text.Length} characters");
        AddEvent(c, CaseEventType.Updated);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        if (isPublic)
        {
            await notifier.QueueAsync(c, CaseNotifier.UpdateText(c, text), ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        notifier.Ring();
        return CaseResult.Done(c);
    }

    public async Task<CaseResult> AssignAsync(long caseId, long? teamId, string? staffId, CancellationToken ct, CaseActor? actor = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        // Who may assign is the caller's check (CaseAccess.CanAssign on pages; an API key may assign anywhere).
        var (choice, invalid) = await TeamAssignment.CheckAsync(db, teamId, staffId, _ => true, ct);
        if (choice is null)
        {
            return CaseResult.Invalid(invalid!.Field!, invalid.Error!);
        }

        if (choice.IsCurrent(c.TeamId, c.AssignedStaffId))
        {
            return CaseResult.Done(c);
        }

        var before = await TeamAssignment.DescribeAsync(db, c.TeamId, c.AssignedStaffId, ct);
        c.TeamId = choice.Team.Id;
        c.AssignedStaffId = choice.StaffId;
        c.UpdatedAt = Now;
        Audit(actor, "case.assigned", c.Id, before, choice.Description);
        AddEvent(c, CaseEventType.Updated);
        await ChangedAsync(c, ct);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }

    private async Task ChangedAsync(Case c, CancellationToken ct)
    {
        if (!c.IsOpen)
        {
            return;
        }

        foreach (var step in changeSteps)
        {
            await step.RunAsync(c, ct);
        }
    }

    public async Task<CaseResult> ChangePriorityAsync(long caseId, Priority? to, CancellationToken ct, CaseActor? actor = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        if (to is not { } priority)
        {
            return CaseResult.Invalid("NewPriority", "Select a priority");
        }

        if (priority == c.Priority)
        {
            return CaseResult.Done(c);
        }

        var before = c.Priority;
        c.Priority = priority;
        c.UpdatedAt = Now;
        Audit(actor, "case.priority-changed", c.Id, before.ToString(), priority.ToString());
        AddEvent(c, CaseEventType.Updated);
        await ChangedAsync(c, ct);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }

    public async Task<CaseResult> SetDueAsync(long caseId, DateTime? dueAt, CancellationToken ct, CaseActor? actor = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        if (c.DueAt == dueAt)
        {
            return CaseResult.Done(c);
        }

        var before = c.DueAt;
        c.DueAt = dueAt;
        c.UpdatedAt = Now;
        Audit(actor, "case.due-changed", c.Id, before?.ToString("O"), dueAt?.ToString("O"));
        AddEvent(c, CaseEventType.Updated);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }

    /// <summary>"Add to case": links a message (and its conversation as a reporter) to an existing case.</summary>
    public async Task<CaseResult> LinkMessageAsync(long caseId, long messageId, CancellationToken ct, CaseActor? actor = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        var message = await db.Messages.SingleOrDefaultAsync(m => m.Id == messageId, ct);
        if (c is null || message is null)
        {
            return CaseResult.NotFound;
        }

        if (c.Status == CaseStatus.Duplicate)
        {
            return CaseResult.Invalid("CaseReference", "That case was merged into another: add the message to that case instead");
        }

        if (await db.CaseMessages.AnyAsync(x => x.CaseId == caseId && x.MessageId == messageId, ct))
        {
            return CaseResult.Done(c);
        }

        if (await PurposeLimitationRefusalAsync([message], ct) is { } refusal)
        {
            return CaseResult.Invalid("MessageIds", refusal);
        }

        var now = Now;
        var newReporter = await LinkMessageRowsAsync(c, message, now, ct);
        c.UpdatedAt = now;
        Audit(actor, "case.message-linked", c.Id, null, newReporter ? $"message {messageId}, new reporter" : $"message {messageId}");
        AddEvent(c, CaseEventType.Updated);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }

    /// <summary>
    /// Merges <paramref name="duplicateId"/> into <paramref name="survivorId"/>: the duplicate becomes Duplicate, and every
    /// message, reporter and photo of it is linked to the survivor, so resolving the survivor tells all of them.
    /// </summary>
    public async Task<CaseResult> MergeAsync(long duplicateId, long survivorId, CancellationToken ct, CaseActor? actor = null)
    {
        if (duplicateId == survivorId)
        {
            return CaseResult.Invalid("SurvivorReference", "A case cannot be merged into itself");
        }

        var duplicate = await db.Cases.SingleOrDefaultAsync(x => x.Id == duplicateId, ct);
        var survivor = await db.Cases.SingleOrDefaultAsync(x => x.Id == survivorId, ct);
        if (duplicate is null || survivor is null)
        {
            return CaseResult.NotFound;
        }

        if (!duplicate.IsOpen)
        {
            return CaseResult.Invalid("SurvivorReference", $"{duplicate.Reference} is {duplicate.Status.Label().ToLowerInvariant()}: only an open case can be merged");
        }

        if (!survivor.IsOpen)
        {
            return CaseResult.Invalid("SurvivorReference", $"{survivor.Reference} is {survivor.Status.Label().ToLowerInvariant()}: reopen it before merging into it");
        }

        var now = Now;
        var who = Actor(actor);
        var before = duplicate.Status;
        duplicate.MarkDuplicateOf(survivor.Id, now);
        survivor.UpdatedAt = now;

        var survivorMessages = await db.CaseMessages.Where(x => x.CaseId == survivor.Id).Select(x => x.MessageId).ToListAsync(ct);
        var moved = await db.CaseMessages.Where(x => x.CaseId == duplicate.Id && !survivorMessages.Contains(x.MessageId)).ToListAsync(ct);
        foreach (var m in moved)
        {
            db.CaseMessages.Add(new CaseMessage { OrganisationId = survivor.OrganisationId, CaseId = survivor.Id, MessageId = m.MessageId, LinkedAt = now, LinkedByStaffId = who.StaffId });
        }

        var survivorConversations = await db.CaseReporters.Where(x => x.CaseId == survivor.Id && x.ConversationId != null).Select(x => x.ConversationId).ToListAsync(ct);
        var reporters = await db.CaseReporters.AsNoTracking().Where(x => x.CaseId == duplicate.Id).ToListAsync(ct);
        var added = 0;
        foreach (var r in reporters.Where(r => r.ConversationId is null || !survivorConversations.Contains(r.ConversationId)))
        {
            db.CaseReporters.Add(new CaseReporter
            {
                OrganisationId = survivor.OrganisationId, CaseId = survivor.Id, ConversationId = r.ConversationId,
                Name = r.Name, Email = r.Email, Phone = r.Phone, AddedAt = now,
            });
            added++;
        }

        foreach (var p in await db.CasePhotos.AsNoTracking().Where(x => x.CaseId == duplicate.Id).ToListAsync(ct))
        {
            AddPhoto(survivor, p.MessageId, new AttachmentInfo(p.FileName, p.ContentType, p.Length, p.StoredPath, p.Url), now);
        }

        await db.CaseDuplicateCandidates
            .Where(x => (x.CaseId == duplicate.Id && x.CandidateCaseId == survivor.Id) || (x.CaseId == survivor.Id && x.CandidateCaseId == duplicate.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Dismissed, true), ct);

        db.CaseUpdates.Add(new CaseUpdate
        {
            OrganisationId = duplicate.OrganisationId, CaseId = duplicate.Id, Kind = CaseUpdateKind.StatusChange, StatusBefore = before,
            StatusAfter = CaseStatus.Duplicate, Text = $"Merged into {survivor.Reference}", IsPublic = true, StaffId = who.StaffId,
            AuthorName = who.Name, CreatedAt = now,
        });
        db.CaseUpdates.Add(new CaseUpdate
        {
            OrganisationId = survivor.OrganisationId, CaseId = survivor.Id, Kind = CaseUpdateKind.InternalNote,
            Text = $"{duplicate.Reference} merged into this case: {moved.Count} message(s) and {added} reporter(s) added",
            StaffId = who.StaffId, AuthorName = who.Name, CreatedAt = now,
        });
        Audit(actor, "case.merged", duplicate.Id, before.Label(), $"duplicate of {survivor.Reference}");
        Audit(actor, "case.merged-into", survivor.Id, null, $"{duplicate.Reference}: {moved.Count} message(s), {added} reporter(s)");
        AddEvent(duplicate, CaseEventType.Merged);
        AddEvent(survivor, CaseEventType.Updated);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(survivor);
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

    private long OrganisationId => organisation.OrganisationId ?? throw new InvalidOperationException("Case commands need an organisation.");

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private CaseActor Actor(CaseActor? actor)
    {
        if (actor is not null)
        {
            return actor;
        }

        var user = http.HttpContext?.User;
        return user?.Identity?.IsAuthenticated == true ? new CaseActor(user.StaffId(), user.DisplayNameOf()) : new CaseActor(null, "system");
    }

    private void Audit(CaseActor? actor, string action, object targetId, string? before, string? after)
    {
        var targetType = action.StartsWith("case-service", StringComparison.Ordinal) ? "CaseService" : "Case";
        if (actor is null)
        {
            audit.Record(action, targetType, targetId, before, after, OrganisationId);
        }
        else
        {
            audit.RecordAs(OrganisationId, actor.StaffId, actor.Name, action, targetType, targetId, before, after);
        }
    }

    private void AddEvent(Case c, CaseEventType type) =>
        db.CaseEvents.Add(new CaseEvent { OrganisationId = c.OrganisationId, CaseId = c.Id, Type = type, CreatedAt = Now });

    /// <summary>Applies <see cref="PurposeLimitation"/>: who among the listening-only authors has written to us directly.</summary>
    private async Task<string?> PurposeLimitationRefusalAsync(IReadOnlyList<Message> messages, CancellationToken ct)
    {
        // Restriction of processing (Article 18) first: a restricted person's messages are stored, never put on a case.
        var conversationIds = messages.Select(m => m.ConversationId).Distinct().ToList();
        if (conversationIds.Count > 0 && await db.Conversations.AsNoTracking().Where(c => conversationIds.Contains(c.Id) && c.RestrictedBy != null)
                .Select(c => c.RestrictedBy).FirstOrDefaultAsync(ct) is { } restriction)
        {
            return ProcessingRestriction.Refusal(restriction);
        }

        var listened = messages.Where(PurposeLimitation.IsListeningOnly).ToList();
        if (listened.Count == 0)
        {
            return null;
        }

        var channels = listened.Select(m => m.ChannelId).Distinct().ToList();
        var handles = listened.Select(m => m.AuthorHandle).Distinct().ToList();
        var direct = (await db.Messages.AsNoTracking()
                .Where(m => m.Direction == MessageDirection.Inbound && m.MatchedSearch == null && m.DeletedAt == null
                            && channels.Contains(m.ChannelId) && handles.Contains(m.AuthorHandle))
                .Select(m => new { m.ChannelId, m.AuthorHandle }).Distinct().ToListAsync(ct))
            .Select(x => (x.ChannelId, x.AuthorHandle)).ToHashSet();
        return PurposeLimitation.CheckCaseLink(messages, m => direct.Contains((m.ChannelId, m.AuthorHandle)));
    }

    private async Task<bool> AlreadyAppliedAsync(ExternalUpdate external, CancellationToken ct) =>
        await db.CaseUpdates.AnyAsync(u => u.ExternalUpdateId == external.UpdateId, ct);

    /// <summary>Rows for a message linked to a case being created (nothing there yet, so no look-ups).</summary>
    private void LinkMessageRows(Case c, Message m, DateTime now)
    {
        var staffId = Actor(null).StaffId;
        db.CaseMessages.Add(new CaseMessage { OrganisationId = c.OrganisationId, CaseId = c.Id, MessageId = m.Id, LinkedAt = now, LinkedByStaffId = staffId });
        var tracked = db.ChangeTracker.Entries<CaseReporter>().Any(e => e.Entity.CaseId == c.Id && e.Entity.ConversationId == m.ConversationId);
        if (!tracked)
        {
            db.CaseReporters.Add(new CaseReporter { OrganisationId = c.OrganisationId, CaseId = c.Id, ConversationId = m.ConversationId, AddedAt = now });
        }

        AddPhotos(c, m, now);
    }

    private async Task<bool> LinkMessageRowsAsync(Case c, Message m, DateTime now, CancellationToken ct)
    {
        db.CaseMessages.Add(new CaseMessage { OrganisationId = c.OrganisationId, CaseId = c.Id, MessageId = m.Id, LinkedAt = now, LinkedByStaffId = Actor(null).StaffId });
        AddPhotos(c, m, now);
        if (await db.CaseReporters.AnyAsync(r => r.CaseId == c.Id && r.ConversationId == m.ConversationId, ct))
        {
            return false;
        }

        db.CaseReporters.Add(new CaseReporter { OrganisationId = c.OrganisationId, CaseId = c.Id, ConversationId = m.ConversationId, AddedAt = now });
        return true;
    }

    private void AddPhotos(Case c, Message m, DateTime now)
    {
        if (m.AttachmentsJson is null)
        {
            return;
        }

        foreach (var a in JsonSerializer.Deserialize<List<AttachmentInfo>>(m.AttachmentsJson, Json) ?? [])
        {
            if (a.ContentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
            {
                AddPhoto(c, m.Id, a, now);
            }
        }
    }

    private void AddPhoto(Case c, long? messageId, AttachmentInfo a, DateTime now) =>
        db.CasePhotos.Add(new CasePhoto
        {
            OrganisationId = c.OrganisationId, CaseId = c.Id, MessageId = messageId, FileName = Truncate(a.FileName, 260), ContentType = a.ContentType,
            Length = a.Length, StoredPath = a.StoredPath, Url = a.Url, CreatedAt = now,
        });

    private async Task<string> NewReferenceAsync(CancellationToken ct)
    {
        while (true)
        {
            var reference = References.NewCaseReference();
            if (!db.ChangeTracker.Entries<Case>().Any(e => e.Entity.Reference == reference)
                && !await db.Cases.IgnoreQueryFilters().AnyAsync(c => c.Reference == reference, ct))
            {
                return reference;
            }
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
