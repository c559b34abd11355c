using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
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

/// <summary>What creating a case checks in its organisation: the active services by code, the team ids, the default team.</summary>
internal sealed record CaseCatalog(IReadOnlyDictionary<string, CaseCatalog.Service> Services, IReadOnlySet<long> TeamIds, long? DefaultTeamId)
{
    internal sealed record Service(string Code, string Name, long? TeamId);
}

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
/// Runs while a new case is being created, before it is first saved (it has no id yet), so what it sets goes in with
/// the INSERT; must stay cheap: the SLA feature fills DueAt from its resolution target.
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
public sealed partial class CaseCommands(
    CivicDeskDb db,
    AuditLog audit,
    OrganisationContext organisation,
    CaseNotifier notifier,
    IEnumerable<ICaseCreationStep> creationSteps,
    IEnumerable<ICaseAssessmentStep> assessmentSteps,
    IEnumerable<ICaseChangeStep> changeSteps,
    IHttpContextAccessor http,
    CaseCreationQueue queue,
    ReferenceData referenceData,
    TimeProvider clock)
{
    public const int MaxTitleLength = 200;
    public const int MaxUpdateLength = 5000;
    public const string GeneralServiceCode = "other";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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

    private long OrganisationId => organisation.OrganisationId ?? throw new InvalidOperationException("Case commands need an organisation.");

    /// <summary>
    /// The organisation's active services, teams and default team, as every new case checks them: read once per
    /// <see cref="ReferenceDataOptions.CacheSeconds"/> per node instead of three queries per case, and dropped as soon
    /// as one of them is saved on this node (<see cref="ReferenceDataEviction"/>).
    /// </summary>
    internal Task<CaseCatalog> CatalogAsync(CancellationToken ct) =>
        referenceData.GetAsync("cases:" + OrganisationId.ToString(System.Globalization.CultureInfo.InvariantCulture), async c =>
        {
            var services = await db.CaseServices.AsNoTracking().Where(s => s.IsActive)
                .Select(s => new CaseCatalog.Service(s.Code, s.Name, s.TeamId)).ToListAsync(c);
            var teams = await db.Teams.AsNoTracking().Select(t => new { t.Id, t.IsDefault }).ToListAsync(c);
            return new CaseCatalog(
                services.GroupBy(s => s.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
                teams.Select(t => t.Id).ToHashSet(),
                teams.Where(t => t.IsDefault).Select(t => (long?)t.Id).FirstOrDefault());
        }, ct);

    /// <summary>Whether the current organisation has an active service with this code (from the cached catalog).</summary>
    public async Task<bool> HasActiveServiceAsync(string code, CancellationToken ct) => (await CatalogAsync(ct)).Services.ContainsKey(code);

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

    private void Audit(CaseActor? actor, string action, object targetId, string? before, string? after) =>
        db.AuditEvents.Add(AuditEventFor(actor, action, targetId, before, after));

    /// <summary>The audit event <see cref="Audit"/> records, not added to the context (for rows written set-based).</summary>
    private AuditEvent AuditEventFor(CaseActor? actor, string action, object targetId, string? before, string? after)
    {
        var targetType = action.StartsWith("case-service", StringComparison.Ordinal) ? "CaseService" : "Case";
        return actor is null
            ? audit.Event(action, targetType, targetId, before, after, OrganisationId)
            : audit.EventAs(OrganisationId, actor.StaffId, actor.Name, action, targetType, targetId, before, after);
    }

    private void AddEvent(Case c, CaseEventType type) => db.CaseEvents.Add(NewEvent(c, type, Now));

    private static CaseEvent NewEvent(Case c, CaseEventType type, DateTime now) =>
        new() { OrganisationId = c.OrganisationId, CaseId = c.Id, Type = type, CreatedAt = now };

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

    private void AddPhotos(Case c, Message m, DateTime now) => db.CasePhotos.AddRange(PhotosOf(c, m, now));

    /// <summary>The message's images, as photos of the case.</summary>
    private static IEnumerable<CasePhoto> PhotosOf(Case c, Message m, DateTime now) =>
        m.AttachmentsJson is null
            ? []
            : (JsonSerializer.Deserialize<List<AttachmentInfo>>(m.AttachmentsJson, Json) ?? [])
                .Where(a => a.ContentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
                .Select(a => NewPhoto(c, m.Id, a, now));

    private void AddPhoto(Case c, long? messageId, AttachmentInfo a, DateTime now) => db.CasePhotos.Add(NewPhoto(c, messageId, a, now));

    private static CasePhoto NewPhoto(Case c, long? messageId, AttachmentInfo a, DateTime now) => new()
    {
        OrganisationId = c.OrganisationId, CaseId = c.Id, MessageId = messageId, FileName = Truncate(a.FileName, 260), ContentType = a.ContentType,
        Length = a.Length, StoredPath = a.StoredPath, Url = a.Url, CreatedAt = now,
    };

    private async Task<string> NewReferenceAsync(CancellationToken ct)
    {
        while (true)
        {
            var reference = References.NewCaseReference();
            if (!await db.Cases.IgnoreQueryFilters().AnyAsync(c => c.Reference == reference, ct))
            {
                return reference;
            }
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
