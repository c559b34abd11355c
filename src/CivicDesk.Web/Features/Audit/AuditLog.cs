using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Audit;

/// <summary>
/// Records who did what. Call <see cref="Record"/> next to the change and save both in one SaveChanges: the event
/// and the change commit together, and the context seals the event into the chain.
/// </summary>
public sealed class AuditLog(CivicDeskDb db, IHttpContextAccessor http, TimeProvider clock, OrganisationContext organisation)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public AuditEvent Record(string action, string targetType, object? targetId, object? before = null, object? after = null, long? organisationId = null)
    {
        var e = Event(action, targetType, targetId, before, after, organisationId);
        db.AuditEvents.Add(e);
        return e;
    }

    /// <summary>The event <see cref="Record"/> records, not added to the context: for rows written set-based (<see cref="AuditRows"/>).</summary>
    public AuditEvent Event(string action, string targetType, object? targetId, object? before = null, object? after = null, long? organisationId = null)
    {
        var user = http.HttpContext?.User;
        return new AuditEvent
        {
            OrganisationId = organisationId ?? organisation.OrganisationId
                ?? throw new InvalidOperationException("An audit event needs an organisation."),
            At = clock.GetUtcNow().UtcDateTime,
            ActorId = user?.StaffId(),
            ActorName = user?.Identity?.IsAuthenticated == true ? user.DisplayNameOf() : "system",
            Action = action,
            TargetType = targetType,
            TargetId = targetId?.ToString(),
            Before = Serialise(before),
            After = Serialise(after),
        };
    }

    /// <summary>Same as <see cref="Record"/> but with an explicit actor, for sign-in and background work.</summary>
    public AuditEvent RecordAs(long organisationId, string? actorId, string actorName, string action, string targetType, object? targetId, object? before = null, object? after = null)
    {
        var e = EventAs(organisationId, actorId, actorName, action, targetType, targetId, before, after);
        db.AuditEvents.Add(e);
        return e;
    }

    /// <summary>The event <see cref="RecordAs"/> records, not added to the context.</summary>
    public AuditEvent EventAs(long organisationId, string? actorId, string actorName, string action, string targetType, object? targetId, object? before = null, object? after = null) =>
        new()
        {
            OrganisationId = organisationId,
            At = clock.GetUtcNow().UtcDateTime,
            ActorId = actorId,
            ActorName = actorName,
            Action = action,
            TargetType = targetType,
            TargetId = targetId?.ToString(),
            Before = Serialise(before),
            After = Serialise(after),
        };

    private static string? Serialise(object? value) => value switch
    {
        null => null,
        string s => s,
        _ => JsonSerializer.Serialize(value, Json),
    };
}
