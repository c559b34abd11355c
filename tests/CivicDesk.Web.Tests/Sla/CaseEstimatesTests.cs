using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Features.Templates;
using CivicDesk.Web.Tests.Cases;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Tests.Sla;

/// <summary>New cases get their due time and expected-by estimate from the SLA feature's creation step.</summary>
public sealed class CaseEstimatesTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private static BusinessCalendar Calendar => new BusinessCalendars().For("Europe/London", WorkingWeek.Default, BankHolidays.EnglandAndWales);

    private async Task PolicyAsync(TestOrganisation org, string team, double resolutionHours) =>
        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            db.SlaPolicies.Add(new SlaPolicy { OrganisationId = org.Id, TeamId = org.Teams[team], FirstResponseHours = 4, ResolutionHours = resolutionHours, UpdatedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync();
        });

    [Fact]
    public async Task New_case_without_history_is_due_and_expected_at_the_team_target()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        await PolicyAsync(org, "Highways", 16);

        var created = await CaseTestData.CaseAsync(factory, org);

        var c = await CaseTestData.ReloadAsync(factory, org, created.Id);
        c.DueAt.ShouldNotBeNull().ShouldBe(Calendar.AddBusinessTime(c.CreatedAt, TimeSpan.FromHours(16)), TimeSpan.FromSeconds(1));
        c.ExpectedBy.ShouldNotBeNull().ShouldBe(c.DueAt!.Value, TimeSpan.FromMinutes(1));
        c.ExpectedByBasis.ShouldNotBeNull().ShouldContain("team's resolution target: 2 working days");
    }

    [Fact]
    public async Task Moving_a_case_to_another_team_re_estimates_it_against_that_team()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        await PolicyAsync(org, "Highways", 16);
        await PolicyAsync(org, "Waste", 80);
        var created = await CaseTestData.CaseAsync(factory, org);
        var before = await CaseTestData.ReloadAsync(factory, org, created.Id);
        before.ExpectedByBasis.ShouldNotBeNull().ShouldContain("2 working days");

        var result = await CaseTestData.CommandAsync(factory, org, commands => commands.AssignAsync(created.Id, org.Teams["Waste"], null, CancellationToken.None));

        result.Outcome.ShouldBe(Features.Cases.CaseOutcome.Done);
        var after = await CaseTestData.ReloadAsync(factory, org, created.Id);
        after.ExpectedBy.ShouldNotBeNull().ShouldBeGreaterThan(before.ExpectedBy!.Value);
        after.ExpectedByBasis.ShouldNotBeNull().ShouldContain("10 working days");
    }

    [Fact]
    public async Task New_case_with_closed_history_and_a_queue_says_so_in_its_basis()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var closed = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            closed.Add((await CaseTestData.CaseAsync(factory, org, $"Pothole {i} on Mill Lane")).Id);
        }

        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            foreach (var c in await db.Cases.Where(c => closed.Contains(c.Id)).ToListAsync())
            {
                c.MoveTo(CaseStatus.Fixed, DateTime.UtcNow);
                c.CreatedAt = DateTime.UtcNow.AddDays(-14);
            }

            return await db.SaveChangesAsync();
        });
        for (var i = 0; i < 3; i++)
        {
            await CaseTestData.CaseAsync(factory, org, $"Pothole {i} on Elm Road");   // still open: the queue
        }

        var created = await CaseTestData.CaseAsync(factory, org, "Pothole outside the school");

        var reloaded = await CaseTestData.ReloadAsync(factory, org, created.Id);
        reloaded.ExpectedBy.ShouldNotBeNull().ShouldBeGreaterThan(reloaded.CreatedAt);
        reloaded.ExpectedByBasis.ShouldNotBeNull().ShouldStartWith("70th percentile of 10 Potholes and damaged roads cases closed in the last 8 weeks");
        reloaded.ExpectedByBasis.ShouldContain("3 cases ahead at");
    }

    [Fact]
    public async Task Estimates_from_the_kept_history_equal_those_of_a_fresh_read_as_cases_are_added_and_closed()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var first = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            first.Add((await CaseTestData.CaseAsync(factory, org, $"Pothole {i} on Mill Lane")).Id);
        }

        // Kept: nothing closed yet, twelve open.
        var (kept, fresh) = await EstimateBothWaysAsync(org, first[^1]);
        kept.ShouldBe(fresh);
        kept.Basis.ShouldStartWith("Too few cases closed");

        // Closing and backdating are saved changes (the kept history must drop them), new cases are read by id.
        foreach (var id in first.Take(10))
        {
            (await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(id, CaseStatus.Fixed, null, false, CancellationToken.None))).Outcome
                .ShouldBe(Features.Cases.CaseOutcome.Done);
        }

        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            foreach (var c in await db.Cases.Where(c => first.Take(10).Contains(c.Id)).ToListAsync())
            {
                c.CreatedAt = c.CreatedAt.AddDays(-14);
            }

            return await db.SaveChangesAsync();
        });
        var later = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            later.Add((await CaseTestData.CaseAsync(factory, org, $"Pothole {i} on Elm Road")).Id);
        }

        (kept, fresh) = await EstimateBothWaysAsync(org, later[^1]);
        kept.ShouldBe(fresh);
        kept.Basis.ShouldStartWith("70th percentile of 10 Potholes and damaged roads cases closed in the last 8 weeks");
        kept.Basis.ShouldContain("4 cases ahead at");
    }

    /// <summary>
    /// Estimates one case at one instant through the app's kept history and through a new cache, which reads it all
    /// as a node does after a restart.
    /// </summary>
    private async Task<(EtaEstimate Kept, EtaEstimate Fresh)> EstimateBothWaysAsync(TestOrganisation org, long caseId)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<Data.CivicDeskDb>();
        var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == caseId);
        var now = DateTime.UtcNow;
        var kept = await sp.GetRequiredService<CaseEstimates>().EstimateAsync(c, now, CancellationToken.None);
        using var emptyCache = new EtaHistoryCache(sp.GetRequiredService<IOptions<EtaOptions>>(), TimeProvider.System);
        var restarted = new CaseEstimates(db, sp.GetRequiredService<Data.OrganisationContext>(), emptyCache,
            sp.GetRequiredService<SlaClock>(), sp.GetRequiredService<ExpectedByEstimator>(), TimeProvider.System);
        var fresh = await restarted.EstimateAsync(c, now, CancellationToken.None);
        return (kept, fresh);
    }

    [Fact]
    public async Task Template_preview_quotes_the_linked_cases_expected_date()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        await PolicyAsync(org, "Highways", 24);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "Huge pothole on Bath Road by the bus stop");
        var messageIds = await CaseTestData.WithDbAsync(factory, org.Id, db => db.Messages.Where(m => m.ConversationId == conversation.Id).Select(m => m.Id).ToListAsync());
        var created = await CaseTestData.CaseAsync(factory, org, "Pothole on Bath Road", messageIds: messageIds);
        var templateId = await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            var t = new ReplyTemplate { OrganisationId = org.Id, Name = "When", Body = "We expect to finish by {{expected_by}}.", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.ReplyTemplates.Add(t);
            await db.SaveChangesAsync();
            return t.Id;
        });
        var expected = (await CaseTestData.ReloadAsync(factory, org, created.Id)).ExpectedBy!.Value;
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");

        var html = await InboxTestData.GetPageAsync(agent, $"/inbox/conversation/{conversation.Id}/templates?templateId={templateId}");

        html.QuerySelector("#template-preview-text")!.TextContent
            .ShouldBe($"We expect to finish by {TemplateRenderer.FormatDate(expected, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"))}.");
    }
}
