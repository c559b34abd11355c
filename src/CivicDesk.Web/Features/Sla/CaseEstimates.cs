using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Sla;

/// <summary>
/// Reads a case's history from the database and runs the <see cref="ExpectedByEstimator"/>: fills a new case's due time
/// (from the SLA resolution target) and its expected-by date with the basis in words.
/// </summary>
public sealed class CaseEstimates(CivicDeskDb db, SlaClock sla, ExpectedByEstimator estimator, TimeProvider clock)
{
    public async Task<EtaEstimate> EstimateAsync(Case c, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        var calendar = await sla.CalendarAsync(ct);
        // Cases closed in the window, plus every case still open (the queue), read as four columns.
        var since = now.AddDays(-7 * estimator.Options.WindowWeeks * 2);
        var rows = await db.Cases.AsNoTracking()
            .Where(x => x.Id != c.Id && x.Status != CaseStatus.Duplicate && x.CreatedAt <= now && (x.ClosedAt == null || x.ClosedAt >= since))
            .Select(x => new { x.TeamId, x.ServiceCode, x.CreatedAt, x.ClosedAt })
            .ToListAsync(ct);
        var history = EtaHistory.WithQueues(rows.Select(x => new EtaCase(x.TeamId ?? 0, x.ServiceCode, x.CreatedAt, x.ClosedAt is { } at && at <= now ? at : null)));
        var teamId = c.TeamId ?? 0;
        var ahead = history.Count(x => x.TeamId == teamId && x.ClosedAt is null && x.CreatedAt <= c.CreatedAt);
        var serviceName = await db.CaseServices.AsNoTracking().Where(s => s.Code == c.ServiceCode).Select(s => s.Name).FirstOrDefaultAsync(ct) ?? c.ServiceCode;
        var target = await sla.ResolutionTargetAsync(c.TeamId, c.ServiceCode, c.Priority, ct);
        return estimator.Estimate(new EtaRequest(now, teamId, c.ServiceCode, serviceName, ahead, history, target), calendar);
    }

    /// <summary>Sets DueAt from the resolution target (unless already set) and ExpectedBy with its basis. Does not save.</summary>
    public async Task ApplyAsync(Case c, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        var now = clock.GetUtcNow().UtcDateTime;
        if (c.DueAt is null && await sla.ResolutionTargetAsync(c.TeamId, c.ServiceCode, c.Priority, ct) is { } target)
        {
            c.DueAt = (await sla.CalendarAsync(ct)).AddBusinessTime(c.CreatedAt, target);
        }

        if (!c.IsOpen)
        {
            return;
        }

        var estimate = await EstimateAsync(c, now, ct);
        c.ExpectedBy = estimate.ExpectedBy;
        c.ExpectedByBasis = estimate.Basis.Length > MaxBasisLength ? estimate.Basis[..MaxBasisLength] : estimate.Basis;
    }

    /// <summary>Re-estimates an open case after it changed (team, priority, reopened) and saves it.</summary>
    public async Task RefreshAsync(long caseId, CancellationToken ct)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is { IsOpen: true })
        {
            await ApplyAsync(c, ct);
            await db.SaveChangesAsync(ct);
        }
    }

    public const int MaxBasisLength = 1000;
}

/// <summary>Fills due and expected-by times while a case is created (the cases feature's creation hook).</summary>
public sealed class SlaCaseCreationStep(CaseEstimates estimates) : ICaseCreationStep
{
    public Task RunAsync(Case created, CancellationToken ct) => estimates.ApplyAsync(created, ct);
}

/// <summary>Re-estimates expected-by when an open case changes team or priority or is reopened (the cases feature's change hook).</summary>
public sealed class SlaCaseChangeStep(CaseEstimates estimates) : ICaseChangeStep
{
    public Task RunAsync(Case changed, CancellationToken ct) => estimates.ApplyAsync(changed, ct);
}
