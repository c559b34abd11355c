using System.Globalization;
using System.Net;
using System.Text;
using ClosedXML.Excel;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// The monthly report: the same figures as the dashboard for the same month and scope, team scoping as the dashboards
/// (a team's report holds nothing of other teams or the organisation), and the CSV and workbook exports.
/// </summary>
public sealed class MonthlyReportTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    /// <summary>A category name a spreadsheet would run as a formula.</summary>
    private const string Formula = "=HYPERLINK(\"http://evil.test\",\"x\")";

    private static DateOnly LastMonth
    {
        get
        {
            var today = DateTime.UtcNow;
            return new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        }
    }

    private static string Month => LastMonth.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static async Task<TestOrganisation> ArrangeAsync(CivicDeskFactory factory)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var day = LastMonth.AddDays(9).ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc);
        var n = 0;
        async Task AddAsync(long team, string category, string place, int count, int answeredAfterMinutes)
        {
            for (var i = 0; i < count; i++)
            {
                var at = day.AddMinutes(n);
                var c = new Conversation
                {
                    OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"MR-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                    CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = team, Category = category,
                    FirstResponseAt = at.AddMinutes(answeredAfterMinutes),
                };
                db.Conversations.Add(c);
                await db.SaveChangesAsync();
                db.Messages.Add(new Message
                {
                    OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"m{n++}", AuthorHandle = "c",
                    Text = $"About {category} at {place}", CreatedAt = at, ReceivedAt = at, Category = category, Sentiment = "negative", Place = place,
                });
                await db.SaveChangesAsync();
            }
        }

        await AddAsync(org.Teams["Customer Services"], "missed-bin", "Acacia Avenue", 3, 30);
        await AddAsync(org.Teams["Customer Services"], Formula, "Acacia Avenue", 1, 30);
        await AddAsync(org.Teams["Highways"], "pothole-zzz", "Zebra Road", 9, 90);
        // Outside the month: never counted.
        var before = LastMonth.AddDays(-3).ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc);
        var old = new Conversation
        {
            OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"MR-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
            CreatedAt = before, UpdatedAt = before, LastMessageAt = before, AssignedTeamId = org.Teams["Customer Services"], Category = "missed-bin",
        };
        db.Conversations.Add(old);
        await db.SaveChangesAsync();
        db.Messages.Add(new Message
        {
            OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = old.Id, ExternalId = "old", AuthorHandle = "c",
            Text = "Earlier", CreatedAt = before, ReceivedAt = before, Category = "missed-bin", Sentiment = "neutral",
        });
        await db.SaveChangesAsync();
        await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        return org;
    }

    private static ReportTable Table(MonthlyReport report, string section, string caption) =>
        report.Sections.Single(s => s.Id == section).Tables.Single(t => t.Caption.StartsWith(caption, StringComparison.Ordinal));

    private static double? Value(ReportTable table, string label, int column = 1) =>
        table.Rows.SingleOrDefault(r => r[0].Text == label)?[column].Number;

    [Fact]
    public async Task Figures_EqualTheDashboardsForTheSameMonthAndScope()
    {
        var org = await ArrangeAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var builder = scope.ServiceProvider.GetRequiredService<MonthlyReportBuilder>();
        var data = scope.ServiceProvider.GetRequiredService<DashboardData>();
        var last = LastMonth.AddMonths(1).AddDays(-1);

        foreach (var team in new long?[] { null, org.Teams["Highways"] })
        {
            var report = await builder.BuildAsync(LastMonth, team, CancellationToken.None);
            var dashboardScope = team is { } t ? new DashboardScope(new HashSet<long> { t }) : DashboardScope.Everything;
            var view = await data.BuildAsync(new DashboardFilter { From = LastMonth, To = last, Compare = true }, dashboardScope, CancellationToken.None);

            var headlines = Table(report, "summary", "Headline figures");
            foreach (var h in view.Headlines)
            {
                headlines.Rows.Single(r => r[0].Text == h.Label)[1].Text.ShouldBe(h.Value);
            }

            var categories = view.VolumeCharts.Single(c => c.Id == "contact-category");
            var reported = Table(report, "volumes", "Contact by category");
            reported.Rows.Select(r => r[0].Text).ToList().ShouldBe(categories.Labels.ToList());
            reported.Rows.Select(r => r[1].Number).ToList().ShouldBe(categories.Series[0].Values.Select(v => (double?)(v ?? 0)).ToList());
            var response = Table(report, "response-times", "First response");
            response.Rows.Select(r => r[3].Number).ToList().ShouldBe(view.ResponseTimes.Select(r => r.MedianFirstResponseHours is { } m ? Math.Round(m, 2) : (double?)null).ToList());
        }

        var organisation = await builder.BuildAsync(LastMonth, null, CancellationToken.None);
        Value(Table(organisation, "volumes", "Contact by category"), "pothole-zzz").ShouldBe(9);
        Value(Table(organisation, "volumes", "Contact by category"), "missed-bin").ShouldBe(3); // the one of the month before is not counted
        Value(Table(organisation, "volumes", "Contact by channel"), "Web form").ShouldBe(13);
    }

    [Fact]
    public async Task ATeamsReport_HoldsOnlyThatTeam()
    {
        var org = await ArrangeAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var report = await scope.ServiceProvider.GetRequiredService<MonthlyReportBuilder>().BuildAsync(LastMonth, org.Teams["Customer Services"], CancellationToken.None);

        report.ScopeName.ShouldBe("Customer Services");
        var all = string.Join("\n", report.Sections.SelectMany(s => s.Tables).SelectMany(t => t.Rows).SelectMany(r => r).Select(c => c.Text));
        all.ShouldNotContain("pothole-zzz");
        all.ShouldNotContain("Zebra Road");
        all.ShouldNotContain("Highways");
        Table(report, "summary", "Headline figures").Rows.Single(r => r[0].Text == "Contact received")[1].Number.ShouldBe(4);
        report.Sections.Single(s => s.Id == "channel-shift").Note!.ShouldContain("not part of a team's report");
        report.Sections.Single(s => s.Id == "channel-shift").Tables.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(Roles.Agent)]
    [InlineData(Roles.TeamLead)]
    public async Task AnAgentOrTeamLead_GetsOnlyTheirTeamsReport(string role)
    {
        var org = await ArrangeAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, role);

        var own = await client.GetAsync($"/dashboards/reports/{Month}?team={org.Teams["Customer Services"]}");
        var other = await client.GetAsync($"/dashboards/reports/{Month}?team={org.Teams["Highways"]}");
        var otherCsv = await client.GetAsync($"/dashboards/reports/{Month}?team={org.Teams["Highways"]}&handler=Csv");
        var organisation = await client.GetAsync($"/dashboards/reports/{Month}");

        own.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await own.Content.ReadAsStringAsync();
        html.ShouldContain("missed-bin");
        html.ShouldNotContain("pothole-zzz");
        other.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        otherCsv.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        organisation.StatusCode.ShouldBe(HttpStatusCode.Redirect); // no organisation report for them: their own team's instead
        organisation.Headers.Location!.OriginalString.ShouldBe($"/dashboards/reports/{Month}?team={org.Teams["Customer Services"]}");
        html.ShouldContain("Customer Services: monthly report");
        var index = await client.GetStringAsync("/dashboards/reports");
        index.ShouldNotContain("The whole organisation");
        index.ShouldNotContain("Team: Highways");
    }

    [Fact]
    public async Task TheAnalystsPage_HasEverySectionWithItsBasis_AndSaysNoChannelShiftIsConfigured()
    {
        var org = await ArrangeAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, Roles.Analyst);

        var html = await client.GetStringAsync($"/dashboards/reports/{Month}");

        foreach (var title in new[] { "Summary", "Volumes", "Response and resolution times", "Backlog", "Sentiment", "Top issues", "Channel shift", "Engagement Index" })
        {
            html.ShouldContain($">{title}</h2>");
        }

        html.Split("<strong>Basis:</strong>").Length.ShouldBe(9);
        html.ShouldContain("No channel-shift analysis is configured");
        html.ShouldContain("pothole-zzz");
        html.ShouldContain("/css/report.css");
        html.ShouldContain($"/dashboards/reports/{Month}?handler=Xlsx");
        (await client.GetAsync("/dashboards/reports/2999-01")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/dashboards/reports/2026-13")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Csv_HasEveryTable_AndNeutralisesFormulas()
    {
        var org = await ArrangeAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, Roles.Analyst);

        var response = await client.GetAsync($"/dashboards/reports/{Month}?handler=Csv");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe($"civicdesk-report-{Month}.csv");
        var csv = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        csv.ShouldContain("Volumes,Contact by category");
        csv.ShouldContain("pothole-zzz,9,");
        csv.ShouldContain("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",1");
        csv.ShouldNotContain("\n=");
        csv.ShouldNotContain(",=");
    }

    [Fact]
    public async Task Xlsx_OpensWithClosedXml_OneSheetPerSection_WithNumbersAndNoFormulas()
    {
        var org = await ArrangeAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, Roles.Analyst);

        var response = await client.GetAsync($"/dashboards/reports/{Month}?handler=Xlsx&team={org.Teams["Customer Services"]}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(ReportExport.XlsxContentType);
        using var workbook = new XLWorkbook(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        workbook.Worksheets.Select(w => w.Name).ShouldBe(["Summary", "Volumes", "Response and resolution times", "Backlog", "Sentiment", "Top issues", "Channel shift", "Engagement Index"]);
        var volumes = workbook.Worksheet("Volumes");
        volumes.Cell(1, 1).GetString().ShouldBe("Volumes");
        volumes.Cell(3, 1).GetString().ShouldStartWith("Basis:");
        var bins = volumes.CellsUsed().Single(c => c.GetString() == "missed-bin");
        bins.CellRight().DataType.ShouldBe(XLDataType.Number);
        bins.CellRight().GetDouble().ShouldBe(3);
        bins.CellRight().Style.NumberFormat.Format.ShouldBe("#,##0");
        var header = volumes.CellsUsed().First(c => c.GetString() == "Category");
        header.Style.Font.Bold.ShouldBeTrue();
        var formula = volumes.CellsUsed().Single(c => c.GetString().Contains("HYPERLINK", StringComparison.Ordinal));
        formula.HasFormula.ShouldBeFalse();
        formula.DataType.ShouldBe(XLDataType.Text);
        formula.GetString().ShouldEndWith(Formula);
        workbook.Worksheets.SelectMany(w => w.CellsUsed()).ShouldAllBe(c => !c.HasFormula);
        workbook.Worksheets.SelectMany(w => w.CellsUsed()).ShouldNotContain(c => c.GetString().Contains("pothole-zzz", StringComparison.Ordinal));
        var summary = workbook.Worksheet("Summary");
        summary.CellsUsed().Single(c => c.GetString() == "Contact received").CellRight().GetDouble().ShouldBe(4);
    }

    [Fact]
    public async Task AConfiguredChannelShift_IsReportedWithItsInterval_OrAsTooLittleData()
    {
        var org = await ArrangeAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, Roles.Analyst);
        var token = await StaffClient.AntiforgeryTokenAsync(client, "/dashboards/reports");
        var saved = await client.PostAsync("/dashboards/reports?handler=ChannelShift", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["service"] = "School closures", ["intervention"] = "2026-01-12",
        }));
        (await saved.Content.ReadAsStringAsync()).ShouldContain("Monthly reports will analyse calls about School closures");

        var html = await client.GetStringAsync($"/dashboards/reports/{Month}");

        html.ShouldContain("Too little data for a conclusion");
        html.ShouldNotContain("No channel-shift analysis is configured");

        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        var agentToken = await StaffClient.AntiforgeryTokenAsync(agent, "/dashboards/reports");
        var forbidden = await agent.PostAsync("/dashboards/reports?handler=ChannelShift", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = agentToken, ["service"] = "Bins", ["intervention"] = "2026-01-12",
        }));
        forbidden.IsSuccessStatusCode.ShouldBeFalse();
    }

    [Fact]
    public async Task EmergingAlertsOfTheMonth_AreListed_WithTheMessagesBehindThemOneClickAway()
    {
        var org = await ArrangeAsync(factory);
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var spike = LastMonth.AddDays(14);
            var n = 0;
            for (var d = spike.AddDays(-DashboardData.BaselineDays); d <= spike; d = d.AddDays(1))
            {
                for (var i = 0; i < (d == spike ? 15 : 1); i++)
                {
                    var at = d.ToDateTime(new TimeOnly(11, i), DateTimeKind.Utc);
                    var c = new Conversation
                    {
                        OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"EA-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                        CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = org.Teams["Highways"], Category = "fire-alarm",
                    };
                    db.Conversations.Add(c);
                    await db.SaveChangesAsync();
                    db.Messages.Add(new Message
                    {
                        OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"ea{n++}", AuthorHandle = "c",
                        Text = "Alarm going off", CreatedAt = at, ReceivedAt = at, Category = "fire-alarm",
                    });
                }
            }

            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        }

        var analyst = await StaffClient.SignInAsync(factory, org, Roles.Analyst);
        var html = await analyst.GetStringAsync($"/dashboards/reports/{Month}");
        var href = $"/dashboards/messages?dimension=Category&amp;value=fire-alarm&amp;day={LastMonth.AddDays(14):yyyy-MM-dd}";
        html.ShouldContain(href);
        (await analyst.GetStringAsync(System.Net.WebUtility.HtmlDecode(href))).ShouldContain("Alarm going off");

        // The Customer Services report has no such alert (the messages are Highways').
        var team = await analyst.GetStringAsync($"/dashboards/reports/{Month}?team={org.Teams["Customer Services"]}");
        team.ShouldNotContain("fire-alarm");
        team.ShouldContain("No alerts in this month.");
    }

    [Fact]
    public async Task Schedules_AreForAdminsAndAnalysts()
    {
        var org = await ArrangeAsync(factory);
        async Task<HttpResponseMessage> PostAsync(string role)
        {
            var client = await StaffClient.SignInAsync(factory, org, role);
            var token = await StaffClient.AntiforgeryTokenAsync(client, "/dashboards/reports");
            return await client.PostAsync("/dashboards/reports?handler=Schedule", new FormUrlEncodedContent(
            [
                new("__RequestVerificationToken", token), new("scope", "organisation"), new("day", "3"), new("staff", org.Staff[Roles.Analyst].Id),
                new("emails", "chief.executive@example.gov.uk"),
            ]));
        }

        (await PostAsync(Roles.Agent)).IsSuccessStatusCode.ShouldBeFalse();
        (await PostAsync(Roles.TeamLead)).IsSuccessStatusCode.ShouldBeFalse();
        var admin = await PostAsync(Roles.Admin);
        var html = await admin.Content.ReadAsStringAsync();
        html.ShouldContain("The report will be emailed each month.");
        html.ShouldContain("chief.executive@example.gov.uk");
        html.ShouldContain("Analyst of " + org.Slug);
        await using var scope = factory.ScopeFor(org.Id);
        var stored = scope.ServiceProvider.GetRequiredService<CivicDeskDb>().ReportSchedules.ShouldHaveSingleItem();
        stored.DayOfMonth.ShouldBe(3);
        stored.TeamId.ShouldBeNull();
    }
}
