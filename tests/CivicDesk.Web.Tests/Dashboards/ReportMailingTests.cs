using System.Globalization;
using ClosedXML.Excel;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// Scheduled monthly reports over a real SMTP conversation (an in-process SMTP server): the mail arrives once with the
/// CSV and the workbook, not again on the next run, is retried after a failure, and recipients are checked.
/// </summary>
public sealed class ReportMailingTests : IAsyncLifetime
{
    private sealed class MailFactory(TestSmtpServer smtp) : CivicDeskFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [.. smtp.Settings, new("Dashboards:AggregateWorker", "false"), new("Reports:EmailWorker", "false"), new("Reports:PublicBaseUrl", "https://civicdesk.test")];
    }

    private TestSmtpServer _smtp = null!;
    private MailFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _smtp = await TestSmtpServer.StartAsync();
        _factory = new MailFactory(_smtp);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private static string MonthText
    {
        get
        {
            var today = DateTime.UtcNow;
            return new DateOnly(today.Year, today.Month, 1).AddMonths(-1).ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));
        }
    }

    private async Task<(long? Id, Dictionary<string, string> Errors)> CreateAsync(TestOrganisation org, string scope, int day, string[] staff, string emails)
    {
        await using var s = _factory.ScopeFor(org.Id);
        return await s.ServiceProvider.GetRequiredService<ReportSchedules>().CreateAsync(s.ServiceProvider, scope, day, staff, emails, null, CancellationToken.None);
    }

    private async Task<ReportSchedule> ScheduleAsync(TestOrganisation org, long id)
    {
        await using var s = _factory.ScopeFor(org.Id);
        return await s.ServiceProvider.GetRequiredService<CivicDeskDb>().ReportSchedules.AsNoTracking().SingleAsync(x => x.Id == id);
    }

    private Task<int> SendDueAsync() => _factory.Services.GetRequiredService<ReportMailing>().SendDueAsync(CancellationToken.None);

    [Fact]
    public async Task TheReportArrivesOnce_WithBothAttachments_AndIsRetriedAfterAFailure()
    {
        var org = await MonthlyReportTests.ArrangeAsync(_factory);
        var analyst = org.Staff[Roles.Analyst];
        var (id, errors) = await CreateAsync(org, "organisation", 1, [analyst.Id], "councillor@example.gov.uk");
        errors.ShouldBeEmpty();

        _smtp.RejectAll = true;
        await SendDueAsync();
        var failed = await ScheduleAsync(org, id!.Value);
        failed.LastSentMonth.ShouldBeNull();
        failed.FailedAttempts.ShouldBe(1);
        failed.LastError.ShouldNotBeNull().ShouldContain("did not accept");
        failed.ClaimedUntil.ShouldBeNull();
        _smtp.Received.ShouldBeEmpty();

        _smtp.RejectAll = false;
        (await SendDueAsync()).ShouldBeGreaterThanOrEqualTo(1);
        var mail = await _smtp.WaitForMailAsync(analyst.Email);
        await _smtp.WaitForMailAsync("councillor@example.gov.uk");
        mail.Subject!.ShouldContain($"monthly report for {MonthText}");
        mail.HtmlBody!.ShouldContain("Headline figures");
        mail.HtmlBody!.ShouldContain("https://civicdesk.test/dashboards/reports/");
        mail.TextBody!.ShouldContain("Contact received: 13");
        mail.Headers["X-CivicDesk-Purpose"].ShouldBe(ReportMailing.Purpose);
        mail.To.Mailboxes.Select(m => m.Address).ShouldBe([analyst.Email]); // one recipient per mail: nobody sees the others
        var attachments = mail.Attachments.OfType<MimePart>().ToList();
        attachments.Select(a => a.FileName).Order().ShouldBe([$"{ReportFile()}.csv", $"{ReportFile()}.xlsx"]);
        using (var xlsx = new MemoryStream())
        {
            await attachments.Single(a => a.FileName!.EndsWith(".xlsx", StringComparison.Ordinal)).Content!.DecodeToAsync(xlsx);
            xlsx.Position = 0;
            using var workbook = new XLWorkbook(xlsx);
            var pothole = workbook.Worksheet("Volumes").CellsUsed().Single(c => c.GetString() == "pothole-zzz");
            pothole.CellRight().GetDouble().ShouldBe(9);
        }

        using (var csv = new MemoryStream())
        {
            await attachments.Single(a => a.FileName!.EndsWith(".csv", StringComparison.Ordinal)).Content!.DecodeToAsync(csv);
            System.Text.Encoding.UTF8.GetString(csv.ToArray()).ShouldContain("pothole-zzz,9,");
        }

        var sent = await ScheduleAsync(org, id.Value);
        sent.LastError.ShouldBeNull();
        sent.FailedAttempts.ShouldBe(0);
        sent.LastSentMonth.ShouldNotBeNull();

        // The next runs, even two at once, send nothing more this month.
        await Task.WhenAll(SendDueAsync(), SendDueAsync());
        await SendDueAsync();
        _smtp.MailsTo(analyst.Email).Count.ShouldBe(1);
        _smtp.MailsTo("councillor@example.gov.uk").Count.ShouldBe(1);
    }

    [Fact]
    public async Task TwoNodesAtOnce_SendOnce()
    {
        var org = await MonthlyReportTests.ArrangeAsync(_factory);
        var (id, _) = await CreateAsync(org, org.Teams["Highways"].ToString(CultureInfo.InvariantCulture), 1, [], "highways-lead@example.gov.uk");
        id.ShouldNotBeNull();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(SendDueAsync)));

        var mail = _smtp.MailsTo("highways-lead@example.gov.uk").ShouldHaveSingleItem();
        mail.Subject!.ShouldStartWith("Highways: monthly report");
        mail.TextBody!.ShouldContain("Contact received: 9");
    }

    [Fact]
    public async Task Recipients_AreChecked()
    {
        var org = await MonthlyReportTests.ArrangeAsync(_factory);
        var agent = org.Staff[Roles.Agent]; // in Customer Services, sees only it

        (await CreateAsync(org, "organisation", 1, [agent.Id], "")).Errors.Keys.ShouldBe(["staff"]);
        (await CreateAsync(org, org.Teams["Highways"].ToString(CultureInfo.InvariantCulture), 1, [agent.Id], "")).Errors.Keys.ShouldBe(["staff"]);
        (await CreateAsync(org, org.Teams["Customer Services"].ToString(CultureInfo.InvariantCulture), 1, [agent.Id], "")).Errors.ShouldBeEmpty();
        (await CreateAsync(org, "organisation", 1, [], "")).Errors.Keys.ShouldBe(["staff"]);
        (await CreateAsync(org, "organisation", 1, [], "someone@")).Errors["emails"].ShouldContain("is not an email address");
        (await CreateAsync(org, "organisation", 1, [], "a@b.test, \"Eve\" <eve@evil.test>")).Errors.Keys.ShouldBe(["emails"]);
        (await CreateAsync(org, "organisation", 29, [], "a@b.test")).Errors.Keys.ShouldBe(["day"]);
        (await CreateAsync(org, "999999", 1, [], "a@b.test")).Errors.Keys.ShouldBe(["scope"]);
        (await CreateAsync(org, "organisation", 1, [], string.Join('\n', Enumerable.Range(0, 51).Select(i => $"p{i}@example.gov.uk")))).Errors.Keys.ShouldBe(["emails"]);
    }

    [Fact]
    public async Task AStaffRecipientWhoMayNoLongerSeeTheReport_GetsNothing()
    {
        var org = await MonthlyReportTests.ArrangeAsync(_factory);
        var agent = org.Staff[Roles.Agent];
        var (id, _) = await CreateAsync(org, org.Teams["Customer Services"].ToString(CultureInfo.InvariantCulture), 1, [agent.Id], "");
        await using (var s = _factory.ScopeFor(org.Id))
        {
            var db = s.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await db.TeamMemberships.Where(m => m.StaffMemberId == agent.Id).ExecuteDeleteAsync();
        }

        await SendDueAsync();

        _smtp.MailsTo(agent.Email).ShouldBeEmpty();
        (await ScheduleAsync(org, id!.Value)).LastError.ShouldNotBeNull().ShouldContain("no recipient");
    }

    private static string ReportFile() => $"civicdesk-report-{new DateOnly(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1).AddMonths(-1):yyyy-MM}";
}
