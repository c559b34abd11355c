using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Sla;

/// <summary>Where one item stands against its target.</summary>
public sealed record SlaState(DateTime Due, bool IsOverdue, bool IsDueSoon, string What);

/// <summary>
/// Due times and breach warnings for the signed-in organisation: its calendar, its policies, and which open
/// conversations have passed (or nearly passed) their first-response target. Business time cannot be computed in
/// SQL, so the open, unanswered conversations (oldest first, capped) are read and checked here.
/// </summary>
public sealed class SlaClock(CivicDeskDb db, BusinessCalendars calendars)
{
    /// <summary>Enough for a council's open queue; the oldest are checked first as they are the ones overdue.</summary>
    public const int MaxChecked = 5000;

    private BusinessCalendar? _calendar;
    private IReadOnlyList<SlaPolicy>? _policies;

    public async Task<BusinessCalendar> CalendarAsync(CancellationToken ct)
    {
        if (_calendar is null)
        {
            var id = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request.");
            var organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == id, ct);
            _calendar = calendars.For(organisation);
        }

        return _calendar;
    }

    public async Task<IReadOnlyList<SlaPolicy>> PoliciesAsync(CancellationToken ct) =>
        _policies ??= await db.SlaPolicies.AsNoTracking().ToListAsync(ct);

    /// <summary>The resolution target for a new case of a team and service, if a policy sets one.</summary>
    public async Task<TimeSpan?> ResolutionTargetAsync(long? teamId, string? serviceCode, Priority? priority, CancellationToken ct) =>
        SlaPolicy.Choose(await PoliciesAsync(ct), teamId, serviceCode, priority) is { } p ? TimeSpan.FromHours(p.ResolutionHours) : null;

    /// <summary>The first-response state of every open, unanswered conversation in <paramref name="visible"/> that has a target.</summary>
    public async Task<IReadOnlyDictionary<long, SlaState>> ConversationsAsync(IQueryable<Conversation> visible, DateTime now, CancellationToken ct)
    {
        var policies = await PoliciesAsync(ct);
        if (policies.Count == 0)
        {
            return new Dictionary<long, SlaState>();
        }

        var calendar = await CalendarAsync(ct);
        var open = await visible
            .Where(c => c.FirstResponseAt == null
                        && (c.Status == ConversationStatus.New || c.Status == ConversationStatus.Open || c.Status == ConversationStatus.WaitingOnCitizen))
            .OrderBy(c => c.CreatedAt).Take(MaxChecked)
            .Select(c => new { c.Id, c.AssignedTeamId, c.Category, c.Priority, c.CreatedAt })
            .ToListAsync(ct);
        var states = new Dictionary<long, SlaState>();
        foreach (var c in open)
        {
            if (SlaPolicy.Choose(policies, c.AssignedTeamId, c.Category, c.Priority) is { } policy)
            {
                states[c.Id] = StateOf(calendar, c.CreatedAt, TimeSpan.FromHours(policy.FirstResponseHours), now, "First response");
            }
        }

        return states;
    }

    /// <summary>Overdue once past due; due soon in the last quarter of the target (at least the last working hour).</summary>
    public static SlaState StateOf(BusinessCalendar calendar, DateTime start, TimeSpan target, DateTime now, string what)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var due = calendar.AddBusinessTime(start, target);
        return StateAt(calendar, due, target, now, what);
    }

    public static SlaState StateAt(BusinessCalendar calendar, DateTime due, TimeSpan target, DateTime now, string what)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (now >= due)
        {
            return new SlaState(due, true, false, what);
        }

        var warning = TimeSpan.FromTicks(Math.Max(TimeSpan.FromHours(1).Ticks, target.Ticks / 4));
        return new SlaState(due, false, calendar.BusinessTimeBetween(now, due) <= warning, what);
    }
}

public static class SlaFeature
{
    public static WebApplicationBuilder AddSlaFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BusinessCalendars>();
        builder.Services.AddScoped<SlaClock>();
        builder.Services.AddScoped<ExpectedByLookup>();
        builder.Services.AddScoped<CaseEstimates>();
        builder.Services.AddSingleton<EtaHistoryCache>();
        builder.Services.AddSingleton<EtaHistoryEviction>();
        // Picked up by every CivicDeskDb (DataFeature adds the registered interceptors), so any save of a case evicts.
        builder.Services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(sp => sp.GetRequiredService<EtaHistoryEviction>());
        builder.Services.AddScoped<Cases.ICaseCreationStep, SlaCaseCreationStep>();
        builder.Services.AddScoped<Cases.ICaseChangeStep, SlaCaseChangeStep>();
        builder.Services.AddScoped<Cases.ICaseAssessmentStep, SlaCaseAssessmentStep>();
        builder.Services.AddOptions<EtaOptions>().BindConfiguration(EtaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new ExpectedByEstimator(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<EtaOptions>>().Value));
        return builder;
    }
}
