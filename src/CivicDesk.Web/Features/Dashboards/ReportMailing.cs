using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Platform.Email;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>Configuration section <c>Reports</c>: the monthly report email worker.</summary>
public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>Run the email worker in this process (several nodes may: rows are claimed).</summary>
    public bool EmailWorker { get; set; } = true;

    [Range(1, 1440)] public int EmailIntervalMinutes { get; set; } = 15;

    /// <summary>How long a node holds a claimed schedule while it builds and sends; after that another node may take it.</summary>
    [Range(1, 240)] public int ClaimMinutes { get; set; } = 30;

    /// <summary>Used for the link to the report page in the mail (e.g. https://civicdesk.example.gov.uk); no link when empty.</summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>A schedule as the page shows it.</summary>
public sealed record ScheduleRow(long Id, string Scope, int DayOfMonth, IReadOnlyList<string> Recipients, string? LastSent, string? LastError, int FailedAttempts);

/// <summary>
/// Monthly report schedules: saving them (recipients checked: staff members must be allowed to see the report's scope,
/// addresses must be valid) and sending the due ones (docs/dashboards.md, "Monthly reports").
/// <para>
/// Sending once per month, across nodes: a schedule is due when its day of the month has come (organisation's time
/// zone) and <see cref="ReportSchedule.LastSentMonth"/> is before the previous month. A node claims due rows with one
/// <c>UPDATE … RETURNING</c> that sets a lease (<see cref="RowClaims"/>: <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL),
/// sends, then in one transaction moves the marker to the month and clears the lease — only if it still holds that
/// lease. A failed send records the error and clears the lease, so the next run retries; a node that dies mid-send
/// leaves the lease to expire. A crash after the server accepted a mail and before the marker moved resends it
/// (at least once: SMTP offers nothing better).
/// </para>
/// </summary>
public sealed class ReportMailing(IServiceScopeFactory scopes, IStaffMailer mailer, IOptions<ReportOptions> options, TimeProvider time, ILogger<ReportMailing> log)
{
    public const string Purpose = "monthly-report";
    private static readonly CultureInfo Gb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Sends every due schedule of every organisation; returns how many schedules were sent.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        List<long> organisations;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            organisations = await db.ReportSchedules.IgnoreQueryFilters().Where(s => s.IsEnabled).Select(s => s.OrganisationId).Distinct().ToListAsync(ct);
        }

        var sent = 0;
        foreach (var organisation in organisations)
        {
            sent += await SendDueAsync(organisation, ct);
        }

        return sent;
    }

    private async Task<int> SendDueAsync(long organisationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<OrganisationContext>().Set(organisationId);
        var db = sp.GetRequiredService<CivicDeskDb>();
        var now = time.GetUtcNow().UtcDateTime;
        var today = AggregateTime.LocalDay(now, (await sp.GetRequiredService<SlaClock>().CalendarAsync(ct)).Zone);
        var month = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var monthKey = (month.Year * 100) + month.Month;
        // Whole seconds: the lease is compared for equality later, and PostgreSQL keeps microseconds, not .NET's 100 ns ticks.
        var lease = now.AddMinutes(options.Value.ClaimMinutes);
        lease = new DateTime(lease.Ticks - (lease.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var claimed = await RowClaims.ClaimAsync(db, "\"ReportSchedules\"", "\"ClaimedUntil\" = @lease",
            "\"OrganisationId\" = @organisationId AND \"IsEnabled\" = @enabled AND \"DayOfMonth\" <= @day " +
            "AND (\"LastSentMonth\" IS NULL OR \"LastSentMonth\" < @monthKey) AND (\"ClaimedUntil\" IS NULL OR \"ClaimedUntil\" <= @now) ORDER BY \"Id\" LIMIT 20",
            new { lease, organisationId, enabled = true, day = today.Day, monthKey, now }, ct);
        var sent = 0;
        foreach (var id in claimed.Order())
        {
            var schedule = await db.ReportSchedules.AsNoTracking().SingleAsync(s => s.Id == id, ct);
            string? error = null;
            try
            {
                await SendAsync(sp, schedule, month, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e.Message.Length > 900 ? e.Message[..900] : e.Message;
                log.LogWarning(e, "Monthly report schedule {ScheduleId} of organisation {OrganisationId} failed; it is retried on the next run", id, organisationId);
            }

            var at = time.GetUtcNow().UtcDateTime;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var rows = error is null
                ? await db.ReportSchedules.Where(s => s.Id == id && s.ClaimedUntil == lease).ExecuteUpdateAsync(u => u
                    .SetProperty(s => s.LastSentMonth, monthKey).SetProperty(s => s.LastSentAt, at).SetProperty(s => s.LastAttemptAt, at)
                    .SetProperty(s => s.LastError, (string?)null).SetProperty(s => s.FailedAttempts, 0).SetProperty(s => s.ClaimedUntil, (DateTime?)null), ct)
                : await db.ReportSchedules.Where(s => s.Id == id && s.ClaimedUntil == lease).ExecuteUpdateAsync(u => u
                    .SetProperty(s => s.LastAttemptAt, at).SetProperty(s => s.LastError, error)
                    .SetProperty(s => s.FailedAttempts, s => s.FailedAttempts + 1).SetProperty(s => s.ClaimedUntil, (DateTime?)null), ct);
            await tx.CommitAsync(ct);
            if (rows == 0)
            {
                log.LogWarning("Monthly report schedule {ScheduleId}: the claim had expired before the send finished", id);
            }

            sent += error is null ? 1 : 0;
        }

        return sent;
    }

    private async Task SendAsync(IServiceProvider sp, ReportSchedule schedule, DateOnly month, CancellationToken ct)
    {
        var recipients = await RecipientsAsync(sp, schedule, ct);
        if (recipients.Count == 0)
        {
            throw new InvalidOperationException("The schedule has no recipient who may receive this report (staff no longer active or no longer allowed to see it).");
        }

        var report = await sp.GetRequiredService<MonthlyReportBuilder>().BuildAsync(month, schedule.TeamId, ct);
        var attachments = new[]
        {
            new MailAttachment(report.Slug + ".csv", "text/csv; charset=utf-8", ReportExport.ToCsv(report)),
            new MailAttachment(report.Slug + ".xlsx", ReportExport.XlsxContentType, ReportExport.ToXlsx(report)),
        };
        var (text, html) = Body(report, options.Value.PublicBaseUrl);
        foreach (var (address, name) in recipients)
        {
            await mailer.SendAsync(new StaffMail(address, report.Title, text) { ToName = name, HtmlBody = html, Attachments = attachments, Purpose = Purpose }, ct);
        }
    }

    /// <summary>Active staff named on the schedule who may see its scope (checked again at each send), then the other addresses.</summary>
    private static async Task<List<(string Address, string? Name)>> RecipientsAsync(IServiceProvider sp, ReportSchedule schedule, CancellationToken ct)
    {
        var list = new List<(string, string?)>();
        var ids = Split(schedule.StaffRecipientIds);
        if (ids.Count > 0)
        {
            var allowed = await ReportSchedules.AllowedStaffAsync(sp, schedule.TeamId, ct);
            list.AddRange(allowed.Where(s => ids.Contains(s.Id)).Select(s => (s.Email, (string?)s.Name)));
        }

        list.AddRange(Split(schedule.EmailRecipients).Select(e => (e, (string?)null)));
        return list.DistinctBy(r => r.Item1, StringComparer.OrdinalIgnoreCase).ToList();
    }

    internal static List<string> Split(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>The mail: the headline figures and each section's first note, with the full report attached (CSV and Excel).</summary>
    internal static (string Text, string Html) Body(MonthlyReport report, string? baseUrl)
    {
        var link = string.IsNullOrWhiteSpace(baseUrl) ? null
            : baseUrl.TrimEnd('/') + $"/dashboards/reports/{report.Month:yyyy-MM}" + (report.TeamId is { } t ? $"?team={t}" : "");
        var headlines = report.Sections.Single(s => s.Id == "summary").Tables[0];
        var text = new StringBuilder();
        text.AppendLine(report.Title).AppendLine();
        foreach (var row in headlines.Rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{row[0].Text}: {row[1].Text}{(row[2].Text.Length > 0 ? $" ({row[2].Text})" : "")} — {row[3].Text}");
        }

        text.AppendLine().AppendLine("The full report, with every figure's basis, is attached as CSV and as an Excel workbook.");
        if (link is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Printable page: {link}");
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Sent by CivicDesk for {report.OrganisationName} on a schedule set by an administrator.");

        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{E(report.Title)}</title></head><body style=\"font-family: Arial, sans-serif; color: #0b0c0c;\">");
        html.Append(CultureInfo.InvariantCulture, $"<h1 style=\"font-size: 24px;\">{E(report.Title)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p>{E(report.Sections[0].Basis)}</p>");
        html.Append("<table style=\"border-collapse: collapse;\"><caption style=\"text-align: left; font-weight: bold; padding-bottom: 8px;\">Headline figures</caption><thead><tr>");
        foreach (var h in headlines.Headers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\" style=\"text-align: left; border-bottom: 1px solid #b1b4b6; padding: 6px 12px 6px 0;\">{E(h)}</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in headlines.Rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\" style=\"text-align: left; padding: 6px 12px 6px 0;\">{E(row[0].Text)}</th>");
            foreach (var cell in row.Skip(1))
            {
                html.Append(CultureInfo.InvariantCulture, $"<td style=\"padding: 6px 12px 6px 0;\">{E(cell.Text)}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
        var notes = report.Sections.Where(s => s.Note is not null).ToList();
        if (notes.Count > 0)
        {
            html.Append("<ul>");
            foreach (var s in notes)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(s.Title)}:</strong> {E(s.Note!)}</li>");
            }

            html.Append("</ul>");
        }

        html.Append("<p>The full report, with every figure's basis, is attached as CSV and as an Excel workbook.</p>");
        if (link is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(link)}\">Open the printable report in CivicDesk</a></p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<p style=\"color: #505a5f;\">Sent by CivicDesk for {E(report.OrganisationName)} on a schedule set by an administrator.</p></body></html>");
        return (text.ToString(), html.ToString());
    }
}

/// <summary>Creating, listing and deleting schedules, with the checks the page and the sender share.</summary>
public sealed class ReportSchedules(CivicDeskDb db, TimeProvider time)
{
    public sealed record StaffOption(string Id, string Name, string Email);

    /// <summary>
    /// Active staff who may receive a report of this scope: for the organisation, those who see everything
    /// (<see cref="StaffViewer.SeesAll"/>: comms, analysts, admins, members of a sees-all team); for a team, also its members.
    /// </summary>
    public static async Task<List<StaffOption>> AllowedStaffAsync(IServiceProvider sp, long? teamId, CancellationToken ct)
    {
        var db = sp.GetRequiredService<CivicDeskDb>();
        var users = sp.GetRequiredService<UserManager<StaffMember>>();
        var staff = await db.Users.AsNoTracking().Where(u => u.IsActive && u.Email != null).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct);
        var seeAll = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in new[] { Roles.Comms, Roles.Analyst, Roles.Admin })
        {
            foreach (var u in await users.GetUsersInRoleAsync(role))
            {
                seeAll.Add(u.Id);
            }
        }

        var seesAllTeams = await db.Teams.AsNoTracking().Where(t => t.SeesAllConversations).Select(t => t.Id).ToListAsync(ct);
        var memberships = await db.TeamMemberships.AsNoTracking().Select(m => new { m.StaffMemberId, m.TeamId }).ToListAsync(ct);
        foreach (var m in memberships.Where(m => seesAllTeams.Contains(m.TeamId)))
        {
            seeAll.Add(m.StaffMemberId);
        }

        var inTeam = teamId is { } t ? memberships.Where(m => m.TeamId == t).Select(m => m.StaffMemberId).ToHashSet(StringComparer.Ordinal) : [];
        return staff.Where(s => seeAll.Contains(s.Id) || inTeam.Contains(s.Id)).OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase)
            .Select(s => new StaffOption(s.Id, s.DisplayName, s.Email!)).ToList();
    }

    /// <summary>Parses and checks a list of addresses (one per line, or separated by commas, semicolons or spaces).</summary>
    public static (List<string> Addresses, string? Error) ParseAddresses(string? text)
    {
        var list = new List<string>();
        foreach (var part in (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Length > ReportSchedule.MaxEmailLength || !MailboxAddress.TryParse(part, out var mailbox) || mailbox.Address != part
                || part.IndexOf('@', StringComparison.Ordinal) is var at && (at < 1 || at == part.Length - 1 || !part[(at + 1)..].Contains('.', StringComparison.Ordinal)))
            {
                return ([], $"\"{(part.Length > 60 ? part[..60] + "…" : part)}\" is not an email address, like name@example.gov.uk");
            }

            if (!list.Contains(part, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(part);
            }
        }

        return (list, null);
    }

    /// <summary>Saves a new schedule; the errors by field when it cannot.</summary>
    public async Task<(long? Id, Dictionary<string, string> Errors)> CreateAsync(IServiceProvider sp, string? scope, int? dayOfMonth, IReadOnlyList<string>? staffIds,
        string? addresses, string? createdBy, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        long? teamId = null;
        if (scope is null or "")
        {
            errors["scope"] = "Choose what the report covers";
        }
        else if (scope != "organisation")
        {
            if (long.TryParse(scope, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && await db.Teams.AnyAsync(x => x.Id == t, ct))
            {
                teamId = t;
            }
            else
            {
                errors["scope"] = "Choose the organisation or one of its teams";
            }
        }

        if (dayOfMonth is not (>= 1 and <= 28))
        {
            errors["day"] = "Enter a day of the month from 1 to 28";
        }

        var (emails, emailError) = ParseAddresses(addresses);
        if (emailError is not null)
        {
            errors["emails"] = emailError;
        }

        var chosen = (staffIds ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal).ToList();
        if (!errors.ContainsKey("scope") && chosen.Count > 0)
        {
            var allowed = (await AllowedStaffAsync(sp, teamId, ct)).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            if (chosen.Any(c => !allowed.Contains(c)))
            {
                errors["staff"] = "Choose only staff who may see this report: for the organisation, those who see every team; for a team, also its members";
            }
        }

        if (!errors.ContainsKey("emails") && !errors.ContainsKey("staff") && chosen.Count + emails.Count == 0)
        {
            errors["staff"] = "Choose at least one member of staff or enter an email address";
        }
        else if (chosen.Count + emails.Count > ReportSchedule.MaxRecipients)
        {
            errors["emails"] = $"A schedule can have at most {ReportSchedule.MaxRecipients} recipients";
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var schedule = new ReportSchedule
        {
            OrganisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation in this request."),
            TeamId = teamId, DayOfMonth = dayOfMonth!.Value, StaffRecipientIds = string.Join(' ', chosen), EmailRecipients = string.Join(' ', emails),
            CreatedAt = time.GetUtcNow().UtcDateTime, CreatedBy = createdBy,
        };
        db.ReportSchedules.Add(schedule);
        await db.SaveChangesAsync(ct);
        return (schedule.Id, errors);
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken ct) => await db.ReportSchedules.Where(s => s.Id == id).ExecuteDeleteAsync(ct) > 0;

    public async Task<IReadOnlyList<ScheduleRow>> ListAsync(CancellationToken ct)
    {
        var schedules = await db.ReportSchedules.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var staff = await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return schedules.Select(s => new ScheduleRow(s.Id, s.TeamId is { } t ? "Team: " + teams.GetValueOrDefault(t, "?") : "The whole organisation", s.DayOfMonth,
            [.. ReportMailing.Split(s.StaffRecipientIds).Select(id => staff.GetValueOrDefault(id, "Former member of staff")), .. ReportMailing.Split(s.EmailRecipients)],
            s.LastSentMonth is { } m ? new DateOnly(m / 100, m % 100, 1).ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")) : null,
            s.LastError, s.FailedAttempts)).ToList();
    }
}

/// <summary>Sends due monthly reports every <see cref="ReportOptions.EmailIntervalMinutes"/>.</summary>
public sealed class ReportEmailWorker(ReportMailing mailing, IOptions<ReportOptions> options, ILogger<ReportEmailWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.EmailIntervalMinutes));
        do
        {
            try
            {
                await mailing.SendDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Sending monthly reports failed; trying again at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
