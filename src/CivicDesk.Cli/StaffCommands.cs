using System.CommandLine;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Cli;

/// <summary>
/// <c>civicdesk organisation|team|staff</c>: how an operator sets up a production instance (docs/deployment.md, "First
/// organisation and administrator"). Generated passwords go to standard output once, for the operator to pass on.
/// </summary>
internal static class StaffCommands
{
    public static IEnumerable<Command> Create()
    {
        var organisation = new Command("organisation", "Organisations on this instance.");
        var create = new Command("create", "Create an organisation with its first team (which receives every message no routing rule claims).")
            .WithExamples("civicdesk organisation create --name \"Northshire County Council\" --slug northshire --first-team \"Customer services\"");
        var name = new Option<string>("--name") { Description = "The organisation's name as citizens see it.", Required = true };
        var slug = new Option<string>("--slug") { Description = "Short name used in addresses: lower-case letters, digits and hyphens.", Required = true };
        var firstTeam = new Option<string>("--first-team") { Description = "The first team's name.", DefaultValueFactory = _ => "Customer services" };
        var zone = new Option<string?>("--time-zone") { Description = "IANA time zone for working hours and daily figures (default Europe/London)." };
        var hours = new Option<string?>("--working-hours") { Description = "Opening hours in local time, e.g. \"Mon-Fri 08:30-17:00\" (default Mon-Fri 09:00-17:00)." };
        create.Options.Add(name);
        create.Options.Add(slug);
        create.Options.Add(firstTeam);
        create.Options.Add(zone);
        create.Options.Add(hours);
        create.SetAction(async (parse, ct) => await CreateOrganisationAsync(
            new NewOrganisation(parse.GetValue(name)!, parse.GetValue(slug)!, parse.GetValue(firstTeam)!, parse.GetValue(zone), parse.GetValue(hours)), ct));
        organisation.Subcommands.Add(create);
        var list = new Command("list", "List the organisations on this instance.").WithExamples("civicdesk organisation list");
        list.SetAction(async (_, ct) => await ListOrganisationsAsync(ct));
        organisation.Subcommands.Add(list);

        var team = new Command("team", "Teams of an organisation.");
        var addTeam = new Command("add", "Add a team.")
            .WithExamples("civicdesk team add --organisation northshire --name \"Highways\"", "civicdesk team add --organisation northshire --name \"Contact centre\" --sees-all");
        var teamOrg = new Option<string>("--organisation") { Description = "The organisation (slug or id).", Required = true };
        var teamName = new Option<string>("--name") { Description = "The team's name.", Required = true };
        var seesAll = new Option<bool>("--sees-all") { Description = "The team triages for everyone and sees every conversation (a contact centre)." };
        addTeam.Options.Add(teamOrg);
        addTeam.Options.Add(teamName);
        addTeam.Options.Add(seesAll);
        addTeam.SetAction(async (parse, ct) => await AddTeamAsync(parse.GetValue(teamOrg)!, parse.GetValue(teamName)!, parse.GetValue(seesAll), ct));
        team.Subcommands.Add(addTeam);

        var staff = new Command("staff", "Staff accounts.");
        var add = new Command("add", "Add a member of staff; prints a generated password once. Administrators set up two-factor sign-in at their first sign-in.")
            .WithExamples(
                "civicdesk staff add --organisation northshire --email it.admin@northshire.gov.uk --name \"Sam Patel\" --role Admin",
                "civicdesk staff add --organisation northshire --email j.brown@northshire.gov.uk --name \"Jo Brown\" --role Agent --team customer-services",
                "civicdesk staff add --organisation northshire --email new.starter@northshire.gov.uk --name \"Ali Khan\" --role Trainee --team highways --mentor j.brown@northshire.gov.uk");
        var staffOrg = new Option<string>("--organisation") { Description = "The organisation (slug or id).", Required = true };
        var email = new Option<string>("--email") { Description = "Their work email address (their sign-in name).", Required = true };
        var staffName = new Option<string>("--name") { Description = "Their name as colleagues and the audit trail show it.", Required = true };
        var role = new Option<string[]>("--role") { Description = "Agent, TeamLead, Comms, Analyst, Admin or Trainee; repeat for several.", Required = true, AllowMultipleArgumentsPerToken = true };
        var teams = new Option<string[]>("--team") { Description = "A team (slug or name); repeat for several.", AllowMultipleArgumentsPerToken = true };
        var mentor = new Option<string?>("--mentor") { Description = "For a trainee: the email of the colleague who reviews their replies." };
        foreach (var option in new Option[] { staffOrg, email, staffName, role, teams, mentor })
        {
            add.Options.Add(option);
        }

        add.SetAction(async (parse, ct) => await AddStaffAsync(new NewStaffMember(parse.GetValue(staffOrg)!, parse.GetValue(email)!, parse.GetValue(staffName)!,
            parse.GetValue(role) ?? [], parse.GetValue(teams) ?? [], parse.GetValue(mentor)), ct));
        staff.Subcommands.Add(add);

        var staffList = new Command("list", "List an organisation's staff: roles, teams, two-factor, locked out, active.")
            .WithExamples("civicdesk staff list --organisation northshire");
        var listOrg = new Option<string>("--organisation") { Description = "The organisation (slug or id).", Required = true };
        staffList.Options.Add(listOrg);
        staffList.SetAction(async (parse, ct) => await ListStaffAsync(parse.GetValue(listOrg)!, ct));
        staff.Subcommands.Add(staffList);

        foreach (var (verb, description, action) in new (string, string, Func<StaffDirectory, string, CancellationToken, Task<DirectoryResult>>)[]
                 {
                     ("reset-password", "Give a new generated password (printed once), clear a lock-out and sign out every session.", (d, e, ct) => d.ResetPasswordAsync(e, ct)),
                     ("deactivate", "Stop an account at once (refused on its next request); its name stays on what it did.", (d, e, ct) => d.SetActiveAsync(e, false, ct)),
                     ("reactivate", "Let a deactivated account sign in again.", (d, e, ct) => d.SetActiveAsync(e, true, ct)),
                 })
        {
            var command = new Command(verb, description).WithExamples($"civicdesk staff {verb} --email j.brown@northshire.gov.uk");
            var who = new Option<string>("--email") { Description = "The account's email address.", Required = true };
            command.Options.Add(who);
            command.SetAction(async (parse, ct) => await ChangeAsync(verb, parse.GetValue(who)!, action, ct));
            staff.Subcommands.Add(command);
        }

        return [organisation, team, staff];
    }

    public static Task<int> CreateOrganisationAsync(NewOrganisation input, CancellationToken ct, IEnumerable<KeyValuePair<string, string?>>? settings = null) =>
        WithDirectoryAsync(settings, async d =>
        {
            var result = await d.CreateOrganisationAsync(input, ct);
            if (result.Succeeded)
            {
                Console.WriteLine($"Created organisation '{input.Slug}' (id {result.Id}) with the team '{input.FirstTeam.Trim()}'. Next: civicdesk staff add --organisation {input.Slug} --role Admin ...");
            }

            return result;
        }, ct);

    public static Task<int> AddTeamAsync(string organisation, string name, bool seesAll, CancellationToken ct, IEnumerable<KeyValuePair<string, string?>>? settings = null) =>
        WithDirectoryAsync(settings, async d =>
        {
            var result = await d.AddTeamAsync(organisation, name, seesAll, ct);
            if (result.Succeeded)
            {
                Console.WriteLine($"Added team '{name.Trim()}' ({StaffDirectory.SlugOf(name)}).");
            }

            return result;
        }, ct);

    public static Task<int> AddStaffAsync(NewStaffMember input, CancellationToken ct, IEnumerable<KeyValuePair<string, string?>>? settings = null) =>
        WithDirectoryAsync(settings, async d =>
        {
            var result = await d.AddStaffAsync(input, ct);
            if (result.Succeeded)
            {
                Console.WriteLine($"Added {input.Email.Trim()} ({string.Join(", ", input.Roles)}). Password (shown once; pass it on privately): {result.Password}");
            }

            return result;
        }, ct);

    public static Task<int> ChangeAsync(string verb, string email, Func<StaffDirectory, string, CancellationToken, Task<DirectoryResult>> action, CancellationToken ct,
        IEnumerable<KeyValuePair<string, string?>>? settings = null) =>
        WithDirectoryAsync(settings, async d =>
        {
            var result = await action(d, email, ct);
            if (result.Succeeded)
            {
                Console.WriteLine(result.Password is null ? $"{email.Trim()}: {verb} done." : $"{email.Trim()}: new password (shown once): {result.Password}");
            }

            return result;
        }, ct);

    public static async Task<int> ListStaffAsync(string organisation, CancellationToken ct, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        await using var app = CliHost.Build(settings);
        await app.Services.MigrateDatabaseAsync(ct);
        await using var scope = app.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<StaffDirectory>().ListAsync(organisation, ct);
        if (rows is null)
        {
            await Console.Error.WriteLineAsync($"No organisation '{organisation}'.");
            return CliExit.Usage;
        }

        foreach (var r in rows)
        {
            var state = (r.Active ? "active" : "DEACTIVATED") + (r.LockedOut ? ", LOCKED OUT" : "") + (r.TwoFactor ? ", two-factor" : "");
            Console.WriteLine($"{r.Email}\t{r.Name}\t{string.Join(",", r.Roles)}\t{string.Join(",", r.Teams)}\t{state}");
        }

        Console.WriteLine($"{rows.Count} account(s).");
        return CliExit.Success;
    }

    public static async Task<int> ListOrganisationsAsync(CancellationToken ct, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        await using var app = CliHost.Build(settings);
        await app.Services.MigrateDatabaseAsync(ct);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        foreach (var o in await db.Organisations.AsNoTracking().OrderBy(o => o.Id).ToListAsync(ct))
        {
            Console.WriteLine($"{o.Id}\t{o.Slug}\t{o.Name}\t{o.TimeZoneId}");
        }

        return CliExit.Success;
    }

    /// <summary>Runs one directory change; a refused change prints why and exits 2, as a usage error: the command line must change (the database is as it was).</summary>
    private static async Task<int> WithDirectoryAsync(IEnumerable<KeyValuePair<string, string?>>? settings, Func<StaffDirectory, Task<DirectoryResult>> change, CancellationToken ct)
    {
        await using var app = CliHost.Build(settings);
        await app.Services.MigrateDatabaseAsync(ct);
        await using var scope = app.Services.CreateAsyncScope();
        var result = await change(scope.ServiceProvider.GetRequiredService<StaffDirectory>());
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync(result.Error);
            return CliExit.Usage;
        }

        return CliExit.Success;
    }
}
