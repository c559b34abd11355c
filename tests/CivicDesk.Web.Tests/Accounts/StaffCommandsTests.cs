using System.Net;
using System.Text.RegularExpressions;
using CivicDesk.Cli;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Accounts;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Tests.Cli;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Accounts;

/// <summary>
/// <c>civicdesk organisation|team|staff</c> on the app's own database: how a production instance gets its first
/// organisation and administrator. The printed password signs in through the real form; refusals exit 2 and change
/// nothing; deactivation stops a live session; every change is in the audit chain, which stays intact.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class StaffCommandsTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private Dictionary<string, string?> Settings => new()
    {
        ["CIVICDESK_DATA_DIR"] = factory.DataDirectory,
        ["Database:Provider"] = CivicDeskFactory.Provider.ToString(),
        ["Database:ConnectionString"] = factory.ConnectionString,
    };

    private static async Task<(int Exit, string Output, string Error)> CaptureAsync(Func<Task<int>> run)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            Console.SetOut(output);
            Console.SetError(error);
            var exit = await run();
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    private static string PasswordIn(string output) => PasswordLine().Match(output) is { Success: true } m ? m.Groups[1].Value : throw new ShouldAssertException("No password in: " + output);

    [Fact]
    public async Task An_operator_sets_up_an_organisation_whose_staff_sign_in_with_the_printed_password()
    {
        var slug = "org-" + Guid.NewGuid().ToString("N")[..8];
        var (exit, output, _) = await CaptureAsync(() => StaffCommands.CreateOrganisationAsync(new NewOrganisation("Northshire County Council", slug, "Customer services"), default, Settings));
        exit.ShouldBe(CliExit.Success, output);
        (await CaptureAsync(() => StaffCommands.AddTeamAsync(slug, "Highways & Transport", seesAll: false, default, Settings))).Exit.ShouldBe(CliExit.Success);

        var agentEmail = $"jo.{slug}@northshire.test";
        (exit, output, _) = await CaptureAsync(() => StaffCommands.AddStaffAsync(new NewStaffMember(slug, agentEmail, "Jo Brown", ["agent"], ["highways-transport"]), default, Settings));
        exit.ShouldBe(CliExit.Success);
        var agentPassword = PasswordIn(output);
        var adminEmail = $"sam.{slug}@northshire.test";
        (exit, output, _) = await CaptureAsync(() => StaffCommands.AddStaffAsync(new NewStaffMember(slug, adminEmail, "Sam Patel", ["Admin"], []), default, Settings));
        exit.ShouldBe(CliExit.Success);
        var adminPassword = PasswordIn(output);
        agentPassword.ShouldNotBe(adminPassword);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var org = await db.Organisations.SingleAsync(o => o.Slug == slug);
            var teams = await db.Teams.IgnoreQueryFilters().Where(t => t.OrganisationId == org.Id).OrderBy(t => t.Id).ToListAsync();
            teams.Select(t => (t.Name, t.IsDefault, t.SeesAllConversations)).ShouldBe([("Customer services", true, true), ("Highways & Transport", false, false)]);
            var agent = await db.Users.IgnoreQueryFilters().Include(u => u.Teams).SingleAsync(u => u.Email == agentEmail);
            agent.OrganisationId.ShouldBe(org.Id);
            agent.Teams.Select(t => t.TeamId).ShouldBe([teams[1].Id]);
            agent.PasswordHash.ShouldNotBeNull().ShouldNotContain(agentPassword);
            var actions = await db.AuditEvents.IgnoreQueryFilters().Where(e => e.OrganisationId == org.Id).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync();
            actions.ShouldBe(["organisation.created", "team.created", "staff.added", "staff.added"]);
            (await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org.Id, default)).FirstBreak.ShouldBeNull();
        }

        // The agent signs in with the printed password and sees the inbox of their organisation.
        using var client = await StaffClient.SignInAsync(factory, agentEmail, agentPassword);
        (await client.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The administrator signs in and, as every administrator without an authenticator, is sent to enrol one first.
        using var adminClient = StaffClient.Anonymous(factory);
        var token = await StaffClient.AntiforgeryTokenAsync(adminClient, "/account/sign-in");
        var signIn = await adminClient.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = adminEmail, ["Input.Password"] = adminPassword, ["__RequestVerificationToken"] = token,
        }));
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var next = await adminClient.GetAsync(signIn.Headers.Location!.OriginalString);
        next.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        next.Headers.Location!.OriginalString.ShouldContain("/account/two-factor", Case.Insensitive);

        // Deactivation ends the agent's live session at its next request; reactivation and a reset let them back in.
        (await CaptureAsync(() => StaffCommands.ChangeAsync("deactivate", agentEmail, (d, e, ct) => d.SetActiveAsync(e, false, ct), default, Settings))).Exit.ShouldBe(CliExit.Success);
        (await client.GetAsync("/inbox")).StatusCode.ShouldNotBe(HttpStatusCode.OK);
        await Should.ThrowAsync<InvalidOperationException>(() => StaffClient.SignInAsync(factory, agentEmail, agentPassword));
        (await CaptureAsync(() => StaffCommands.ChangeAsync("reactivate", agentEmail, (d, e, ct) => d.SetActiveAsync(e, true, ct), default, Settings))).Exit.ShouldBe(CliExit.Success);
        (exit, output, _) = await CaptureAsync(() => StaffCommands.ChangeAsync("reset-password", agentEmail, (d, e, ct) => d.ResetPasswordAsync(e, ct), default, Settings));
        exit.ShouldBe(CliExit.Success);
        var newPassword = NewPasswordLine().Match(output).Groups[1].Value;
        newPassword.ShouldNotBeNullOrEmpty();
        await Should.ThrowAsync<InvalidOperationException>(() => StaffClient.SignInAsync(factory, agentEmail, agentPassword));
        using var again = await StaffClient.SignInAsync(factory, agentEmail, newPassword);
        (await again.GetAsync("/inbox")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (exit, output, _) = await CaptureAsync(() => StaffCommands.ListStaffAsync(slug, default, Settings));
        exit.ShouldBe(CliExit.Success);
        output.ShouldContain($"{agentEmail}\tJo Brown\tAgent\tHighways & Transport\tactive");
        output.ShouldContain($"{adminEmail}\tSam Patel\tAdmin\t\tactive");
    }

    public static TheoryData<string, string, string[], string[], string?, string> Refusals => new()
    {
        { "bad-email", "not an email", ["Agent"], ["customer-services"], null, "not an email address" },
        { "no-role", "x@northshire.test", [], ["customer-services"], null, "at least one role" },
        { "unknown-role", "x@northshire.test", ["Superuser"], ["customer-services"], null, "Unknown role 'Superuser'" },
        { "unknown-team", "x@northshire.test", ["Agent"], ["parks"], null, "no team 'parks'" },
        { "agent-without-team", "x@northshire.test", ["Agent"], [], null, "give --team" },
        { "trainee-without-mentor", "x@northshire.test", ["Trainee"], ["customer-services"], null, "mentor" },
        { "trainee-with-unknown-mentor", "x@northshire.test", ["Trainee"], ["customer-services"], "nobody@northshire.test", "mentor" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_staff_member_exits_2_says_why_and_changes_nothing(string name, string email, string[] roles, string[] teams, string? mentor, string expected)
    {
        var slug = "ref-" + name[..Math.Min(name.Length, 10)] + "-" + Guid.NewGuid().ToString("N")[..6];
        (await CaptureAsync(() => StaffCommands.CreateOrganisationAsync(new NewOrganisation("Refusals Council", slug, "Customer services"), default, Settings))).Exit.ShouldBe(CliExit.Success);
        var before = await CountsAsync(slug);

        var (exit, output, error) = await CaptureAsync(() => StaffCommands.AddStaffAsync(new NewStaffMember(slug, email.Replace("@", $".{slug}@", StringComparison.Ordinal), "Someone", roles, teams, mentor), default, Settings));

        exit.ShouldBe(CliExit.Usage);
        error.ShouldContain(expected, Case.Insensitive);
        output.ShouldNotContain("assword");
        (await CountsAsync(slug)).ShouldBe(before);
    }

    [Fact]
    public async Task Organisation_and_team_refusals_exit_2()
    {
        var slug = "dup-" + Guid.NewGuid().ToString("N")[..8];
        (await CaptureAsync(() => StaffCommands.CreateOrganisationAsync(new NewOrganisation("First", slug, "Customer services"), default, Settings))).Exit.ShouldBe(CliExit.Success);

        (await CaptureAsync(() => StaffCommands.CreateOrganisationAsync(new NewOrganisation("Second", slug, "Customer services"), default, Settings))).Error.ShouldContain("exists already");
        (await CaptureAsync(() => StaffCommands.CreateOrganisationAsync(new NewOrganisation("Bad", "Not A Slug", "Customer services"), default, Settings))).Exit.ShouldBe(CliExit.Usage);
        (await CaptureAsync(() => StaffCommands.CreateOrganisationAsync(new NewOrganisation("Zone", "zone-" + slug, "Customer services", "Mars/Olympus"), default, Settings))).Error.ShouldContain("Unknown time zone");
        (await CaptureAsync(() => StaffCommands.AddTeamAsync(slug, "Customer Services", false, default, Settings))).Error.ShouldContain("already");
        (await CaptureAsync(() => StaffCommands.AddTeamAsync("no-such-org", "Parks", false, default, Settings))).Exit.ShouldBe(CliExit.Usage);
        (await CaptureAsync(() => StaffCommands.ChangeAsync("deactivate", "nobody@nowhere.test", (d, e, ct) => d.SetActiveAsync(e, false, ct), default, Settings))).Exit.ShouldBe(CliExit.Usage);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Organisations.CountAsync(o => o.Slug == "zone-" + slug || o.Name == "Second")).ShouldBe(0);
    }

    private async Task<(int Users, int Teams, int Events)> CountsAsync(string slug)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var org = await db.Organisations.SingleAsync(o => o.Slug == slug);
        return (await db.Users.CountAsync(u => u.OrganisationId == org.Id),
            await db.Teams.IgnoreQueryFilters().CountAsync(t => t.OrganisationId == org.Id),
            await db.AuditEvents.IgnoreQueryFilters().CountAsync(e => e.OrganisationId == org.Id));
    }

    [GeneratedRegex(@"Password \(shown once; pass it on privately\): (\S+)")]
    private static partial Regex PasswordLine();

    [GeneratedRegex(@"new password \(shown once\): (\S+)")]
    private static partial Regex NewPasswordLine();
}
