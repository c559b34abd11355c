using System.Globalization;
using System.Net;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

public sealed class ChannelShiftPageTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    private const string Page = "/dashboards/channel-shift";

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string csv)
    {
        var token = await StaffClient.AntiforgeryTokenAsync(client, Page);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new("text/csv") } }, "file", "calls.csv" },
        };
        return await client.PostAsync(Page + "?handler=Import", form);
    }

    private async Task<int> RowsAsync(long org)
    {
        await using var scope = factory.ScopeFor(org);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().ContactCentreDemand.CountAsync();
    }

    /// <summary>Daily calls: weekly pattern, noise, and 30 fewer calls a day from the intervention.</summary>
    private static string Csv(DateOnly from, DateOnly intervention, DateOnly to)
    {
        var random = new Random(3);
        var sb = new StringBuilder("date,service,calls\n");
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            var calls = 150 + ((int)d.DayOfWeek * 4) + random.Next(-6, 7) - (d >= intervention ? 30 : 0);
            sb.Append(CultureInfo.InvariantCulture, $"{d:yyyy-MM-dd},School closures,{calls}\n");
        }

        return sb.ToString();
    }

    [Fact]
    public async Task Import_WithOneBadRow_ImportsNothing_AndNamesTheLine()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, Roles.Analyst);

        var response = await UploadAsync(client, "date,service,calls\n2026-01-01,Bins,3\n2026-01-02,Bins,three\n");
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("Nothing was imported");
        html.ShouldContain("Line 3: &quot;three&quot; is not a whole number of calls");
        (await RowsAsync(org.Id)).ShouldBe(0);
    }

    [Fact]
    public async Task Import_ThenAnalyse_ReportsTheDropWithAnIntervalAndCost()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, Roles.Analyst);
        var intervention = new DateOnly(2026, 1, 12);

        var imported = await (await UploadAsync(client, Csv(new DateOnly(2025, 9, 1), intervention, new DateOnly(2026, 3, 31)))).Content.ReadAsStringAsync();
        imported.ShouldContain("212 day(s) added and 0 replaced");
        var again = await (await UploadAsync(client, Csv(new DateOnly(2026, 3, 1), intervention, new DateOnly(2026, 3, 31)))).Content.ReadAsStringAsync();
        again.ShouldContain("0 day(s) added and 31 replaced");

        var html = await client.GetStringAsync($"{Page}?service=School+closures&intervention=2026-01-12");

        html.ShouldContain("fewer calls a day</strong>");
        html.ShouldContain("95% confidence interval");
        html.ShouldContain("Socitm");
        html.ShouldContain("id=\"its-cost\"");
        html.ShouldContain("chart-its-canvas");
    }

    [Fact]
    public async Task Analyse_WithUnderEightWeeksBefore_SaysSoInsteadOfConcluding()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var client = await StaffClient.SignInAsync(factory, org, Roles.Analyst);
        await UploadAsync(client, Csv(new DateOnly(2025, 12, 1), new DateOnly(2026, 1, 12), new DateOnly(2026, 3, 1)));

        var html = await client.GetStringAsync($"{Page}?service=School+closures&intervention=2026-01-12");

        html.ShouldContain("Too little data to draw a conclusion");
        html.ShouldNotContain("id=\"its-headline\"");
    }

    [Fact]
    public async Task Agents_CannotOpenIt_AndTeamLeadsCannotImport()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        (await agent.GetAsync(Page)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var lead = await StaffClient.SignInAsync(factory, org, Roles.TeamLead);
        (await UploadAsync(lead, "date,service,calls\n2026-01-01,Bins,3\n")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
        (await RowsAsync(org.Id)).ShouldBe(0);
    }
}
