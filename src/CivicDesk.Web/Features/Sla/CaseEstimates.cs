using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Sla;

/// <summary>
/// Reads a case's history from the database and runs the <see cref="ExpectedByEstimator"/>: fills a new case's due time
/// (from the SLA resolution target) and its expected-by date with the basis in words.
/// </summary>
public sealed class CaseEstimates(CivicDeskDb db, OrganisationContext organisation, EtaHistoryCache histories, SlaClock sla, ExpectedByEstimator estimator, TimeProvider clock)
{
    public async Task<EtaEstimate> EstimateAsync(Case c, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        return (await EstimateManyAsync([c], now, ct))[0];
    }

    /// <summary>
    /// Estimates several cases from one read of the history (kept between calls by <see cref="EtaHistoryCache"/>):
    /// closed cases of the window and every open case (the queue), less the cases being estimated. Each case's queue is the open cases of its team that arrived before it,
    /// the others of the batch included, as when each was estimated on its own the moment it was made.
    /// </summary>
    public async Task<IReadOnlyList<EtaEstimate>> EstimateManyAsync(IReadOnlyList<Case> cases, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var calendar = await sla.CalendarAsync(ct);
        // Cases closed in the window, plus every case still open (the queue), read as five columns.
        var since = now.AddDays(-7 * estimator.Options.WindowWeeks * 2);
        var rows = (organisation.OrganisationId is { } organisationId
                ? await histories.RowsAsync(db, organisationId, since, ct)
                : []).Where(x => x.CreatedAt <= now).ToList();
        var estimated = cases.Select(c => c.Id).ToHashSet();
        var history = EtaHistory.WithQueues(rows.Where(x => !estimated.Contains(x.Id))
            .Select(x => new EtaCase(x.TeamId ?? 0, x.ServiceCode, x.CreatedAt, x.ClosedAt is { } at && at <= now ? at : null)));
        var queue = rows.Where(x => x.ClosedAt is null || x.ClosedAt > now).Select(x => (x.Id, TeamId: x.TeamId ?? 0, x.CreatedAt)).ToList();
        var serviceCodes = cases.Select(c => c.ServiceCode).Distinct().ToList();
        var serviceNames = await db.CaseServices.AsNoTracking().Where(s => serviceCodes.Contains(s.Code)).Select(s => new { s.Code, s.Name }).ToListAsync(ct);
        var estimates = new List<EtaEstimate>(cases.Count);
        foreach (var c in cases)
        {
            var teamId = c.TeamId ?? 0;
            var ahead = queue.Count(x => x.Id != c.Id && x.TeamId == teamId && x.CreatedAt <= c.CreatedAt);
            var serviceName = serviceNames.FirstOrDefault(s => s.Code == c.ServiceCode)?.Name ?? c.ServiceCode;
            var target = await sla.ResolutionTargetAsync(c.TeamId, c.ServiceCode, c.Priority, ct);
            estimates.Add(estimator.Estimate(new EtaRequest(now, teamId, c.ServiceCode, serviceName, ahead, history, target), calendar));
        }

        return estimates;
    }

    /// <summary>Sets DueAt from the resolution target (unless already set) and ExpectedBy with its basis. Does not save.</summary>
    public async Task ApplyAsync(Case c, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        await ApplyDueAsync(c, ct);
        if (c.IsOpen)
        {
            await ApplyExpectedByAsync([c], ct);
        }
    }

    /// <summary>Sets DueAt from the SLA resolution target unless it is already set. Does not save.</summary>
    public async Task ApplyDueAsync(Case c, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (c.DueAt is null && await sla.ResolutionTargetAsync(c.TeamId, c.ServiceCode, c.Priority, ct) is { } target)
        {
            c.DueAt = (await sla.CalendarAsync(ct)).AddBusinessTime(c.CreatedAt, target);
        }
    }

    /// <summary>Sets ExpectedBy and its basis on each open case of <paramref name="cases"/>. Does not save.</summary>
    public async Task ApplyExpectedByAsync(IReadOnlyList<Case> cases, CancellationToken ct)
    {
        var open = cases.Where(c => c.IsOpen).ToList();
        if (open.Count == 0)
        {
            return;
        }

        var estimates = await EstimateManyAsync(open, clock.GetUtcNow().UtcDateTime, ct);
        for (var i = 0; i < open.Count; i++)
        {
            open[i].ExpectedBy = estimates[i].ExpectedBy;
            open[i].ExpectedByBasis = estimates[i].Basis.Length > MaxBasisLength ? estimates[i].Basis[..MaxBasisLength] : estimates[i].Basis;
        }
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

/// <summary>Fills the due time from the SLA target while a case is created (the cases feature's creation hook; cheap: policies are read once per scope).</summary>
public sealed class SlaCaseCreationStep(CaseEstimates estimates) : ICaseCreationStep
{
    public Task RunAsync(Case created, CancellationToken ct) => estimates.ApplyDueAsync(created, ct);
}

/// <summary>
/// Estimates expected-by for new cases (the cases feature's assessment hook): in the creating transaction for a case
/// made by staff, later and in batches for Open311 creates (<see cref="CaseAssessmentWorker"/>).
/// </summary>
public sealed class SlaCaseAssessmentStep(CaseEstimates estimates) : ICaseAssessmentStep
{
    public Task RunAsync(IReadOnlyList<Case> created, CancellationToken ct) => estimates.ApplyExpectedByAsync(created, ct);
}

/// <summary>Re-estimates expected-by when an open case changes team or priority or is reopened (the cases feature's change hook).</summary>
public sealed class SlaCaseChangeStep(CaseEstimates estimates) : ICaseChangeStep
{
    public Task RunAsync(Case changed, CancellationToken ct) => estimates.ApplyAsync(changed, ct);
}
