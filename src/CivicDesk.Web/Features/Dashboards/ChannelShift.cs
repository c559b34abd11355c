using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

public sealed record DemandImportResult(int Added, int Replaced, IReadOnlyList<DemandError> Errors)
{
    public bool Ok => Errors.Count == 0;
}

public sealed record ServiceSummary(string Service, DateOnly First, DateOnly Last, int Days, long Calls);

public sealed record AlignedContact(string Channel, IReadOnlyList<double?> PerWeek);

public sealed record ChannelShiftAnalysis(
    string Service, DateOnly Intervention, ItsResult Result, decimal? CostPerCall, bool CostIsDefault,
    IReadOnlyList<DateOnly> Weeks, IReadOnlyList<double?> CallsPerWeek, IReadOnlyList<AlignedContact> Contact);

/// <summary>Contact-centre demand: import (all or nothing), the per-contact costs, and the interrupted time series.</summary>
public sealed class ChannelShift(CivicDeskDb db, TimeProvider time)
{
    /// <summary>Socitm Channel Value Benchmarking, 2011 cohorts (about 200 councils), reported by Socitm on 29 May 2012.</summary>
    public const decimal SocitmPhone = 2.83m;
    public const decimal SocitmFaceToFace = 8.62m;
    public const decimal SocitmWeb = 0.15m;
    public const string SocitmCitation = "Socitm, Channel Value Benchmarking, 2011 cohorts of about 200 UK councils (briefing reported 29 May 2012): "
                                         + "£8.62 face to face, £2.83 by phone, £0.15 on the web per contact. Socitm publishes no figure for social media.";

    /// <summary>Stores every row or none (one transaction); a day and service already stored is replaced. <paramref name="importedBy"/>: who, when not a member of staff (e.g. "api:CRM").</summary>
    public async Task<DemandImportResult> ImportAsync(DemandParse parse, string? staffId, CancellationToken ct, string? importedBy = null)
    {
        if (!parse.Ok)
        {
            return new DemandImportResult(0, 0, parse.Errors.Count > 0 ? parse.Errors : [new DemandError(0, "There is nothing to import.")]);
        }

        var org = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request.");
        var now = time.GetUtcNow().UtcDateTime;
        var first = parse.Rows.Min(r => r.Date);
        var last = parse.Rows.Max(r => r.Date);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var existing = (await db.ContactCentreDemand.Where(d => d.Date >= first && d.Date <= last).ToListAsync(ct))
            .ToDictionary(d => (d.Date, d.Service.ToUpperInvariant()));
        int added = 0, replaced = 0;
        foreach (var row in parse.Rows)
        {
            if (existing.TryGetValue((row.Date, row.Service.ToUpperInvariant()), out var old))
            {
                old.Calls = row.Calls;
                old.HandledMinutes = row.HandledMinutes;
                old.ImportedAt = now;
                old.ImportedBy = importedBy ?? staffId;
                replaced++;
            }
            else
            {
                db.ContactCentreDemand.Add(new ContactCentreDemand
                {
                    OrganisationId = org, Date = row.Date, Service = row.Service, Calls = row.Calls, HandledMinutes = row.HandledMinutes, ImportedAt = now, ImportedBy = importedBy ?? staffId,
                });
                added++;
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new DemandImportResult(added, replaced, []);
    }

    public async Task<IReadOnlyList<ServiceSummary>> ServicesAsync(CancellationToken ct) =>
        (await db.ContactCentreDemand.AsNoTracking()
            .GroupBy(d => d.Service)
            .Select(g => new { Service = g.Key, First = g.Min(d => d.Date), Last = g.Max(d => d.Date), Days = g.Count(), Calls = g.Sum(d => (long)d.Calls) })
            .ToListAsync(ct))
        .Select(s => new ServiceSummary(s.Service, s.First, s.Last, s.Days, s.Calls)).OrderBy(s => s.Service, StringComparer.OrdinalIgnoreCase).ToList();

    public async Task<ContactCosts> CostsAsync(CancellationToken ct) =>
        await db.ContactCosts.AsNoTracking().FirstOrDefaultAsync(ct)
        ?? new ContactCosts { OrganisationId = db.CurrentOrganisationId ?? 0, Phone = SocitmPhone, FaceToFace = SocitmFaceToFace, Web = SocitmWeb, Social = null };

    public async Task SaveCostsAsync(decimal? phone, decimal? faceToFace, decimal? web, decimal? social, CancellationToken ct)
    {
        var org = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request.");
        var row = await db.ContactCosts.FirstOrDefaultAsync(ct);
        if (row is null)
        {
            row = new ContactCosts { OrganisationId = org };
            db.ContactCosts.Add(row);
        }

        (row.Phone, row.FaceToFace, row.Web, row.Social, row.UpdatedAt) = (phone, faceToFace, web, social, time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
    }

    public async Task<ChannelShiftAnalysis> AnalyseAsync(string service, DateOnly intervention, CancellationToken ct)
    {
        var upper = service.ToUpperInvariant();
        // Case-insensitive in SQL on both providers: ToUpper translates, string.Equals with a comparison does not.
#pragma warning disable CA1862
        var days = await db.ContactCentreDemand.AsNoTracking().Where(d => d.Service.ToUpper() == upper)
            .Select(d => new { d.Date, d.Calls }).ToListAsync(ct);
#pragma warning restore CA1862
        var series = days.GroupBy(d => d.Date).Select(g => new DailyCount(g.Key, g.Sum(d => d.Calls))).OrderBy(d => d.Date).ToList();
        var organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == db.CurrentOrganisationId, ct);
        var result = InterruptedTimeSeries.Analyse(series, intervention, BankHolidays.DatesFor(organisation.HolidayCalendar));
        var costs = await db.ContactCosts.AsNoTracking().FirstOrDefaultAsync(ct);

        // Alignment: the same weeks' contact in CivicDesk whose category names the same service, by channel.
        var weeks = new List<DateOnly>();
        if (series.Count > 0)
        {
            for (var w = Monday(series[0].Date); w <= series[^1].Date; w = w.AddDays(7))
            {
                weeks.Add(w);
            }
        }

        var callsPerWeek = weeks.Select(w => (double?)series.Where(s => Monday(s.Date) == w).Sum(s => s.Value)).ToList();
        var contact = new List<AlignedContact>();
        if (weeks.Count > 0)
        {
            var from = weeks[0];
            var to = weeks[^1].AddDays(6);
#pragma warning disable CA1862 // as above: translated to SQL upper()
            var rows = await db.DailyMessageCounts.AsNoTracking()
                .Where(r => r.Day >= from && r.Day <= to && r.Direction == MessageDirection.Inbound && !r.Listening && r.Category.ToUpper() == upper)
                .Select(r => new { r.Day, r.ChannelId, r.Count }).ToListAsync(ct);
#pragma warning restore CA1862
            var kinds = await db.Channels.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Kind, ct);
            foreach (var g in rows.GroupBy(r => ContactGroup(kinds.GetValueOrDefault(r.ChannelId))).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                contact.Add(new AlignedContact(g.Key, weeks.Select(w => (double?)g.Where(r => Monday(r.Day) == w).Sum(r => r.Count)).ToList()));
            }
        }

        return new ChannelShiftAnalysis(service, intervention, result, costs is null ? SocitmPhone : costs.Phone, costs is null, weeks, callsPerWeek, contact);
    }

    public static string ContactGroup(ChannelKind kind) => kind switch
    {
        ChannelKind.WebForm => "Web form",
        ChannelKind.Api => "Open311 and API",
        ChannelKind.Email => "Email",
        ChannelKind.Rss => "News feeds",
        _ => "Social media",
    };

    private static DateOnly Monday(DateOnly d) => d.AddDays(-(((int)d.DayOfWeek + 6) % 7));
}
