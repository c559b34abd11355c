using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Accounts;

public sealed record NewOrganisation(string Name, string Slug, string FirstTeam, string? TimeZoneId = null, string? WorkingHours = null);

public sealed record NewStaffMember(string OrganisationSlug, string Email, string Name, IReadOnlyList<string> Roles, IReadOnlyList<string> TeamSlugs, string? MentorEmail = null);

public sealed record StaffListing(string Email, string Name, IReadOnlyList<string> Roles, IReadOnlyList<string> Teams, bool Active, bool TwoFactor, bool LockedOut, DateTime CreatedAt);

/// <summary>What an operator change did: the problem that stopped it, or the one-time password it made.</summary>
public sealed record DirectoryResult(string? Error, string? Password = null, long? Id = null)
{
    public bool Succeeded => Error is null;

    public static DirectoryResult Fail(string error) => new(error);
}

/// <summary>
/// Organisations, teams and staff accounts as an operator sets them up (<c>civicdesk organisation|team|staff</c>): how a
/// production instance gets its first organisation and administrator, where the demo seeder is the only other way in.
/// Every change is audited in the organisation's chain as the operator (not a signed-in person), in the same write
/// transaction as the change. Passwords are generated here and returned once for the operator to pass on; they are never
/// stored or logged in clear. A new member of staff must change nothing else: Identity's rules (lock-out, two-factor for
/// administrators) apply at their first sign-in as for anyone.
/// </summary>
public sealed partial class StaffDirectory(CivicDeskDb db, UserManager<StaffMember> users, RoleManager<IdentityRole> roles, AuditLog audit, TimeProvider clock)
{
    private const string Operator = "operator (civicdesk command line)";

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<DirectoryResult> CreateOrganisationAsync(NewOrganisation input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = input.Name.Trim();
        if (name.Length is 0 or > 200)
        {
            return DirectoryResult.Fail("Give the organisation's name (at most 200 characters).");
        }

        if (!SlugPattern().IsMatch(input.Slug))
        {
            return DirectoryResult.Fail($"'{input.Slug}' is not a usable short name: use 2–64 lower-case letters, digits and hyphens, starting with a letter (it appears in addresses).");
        }

        if (string.IsNullOrWhiteSpace(input.FirstTeam) || input.FirstTeam.Trim().Length > 200)
        {
            return DirectoryResult.Fail("Give the first team's name: it receives every message no routing rule claims.");
        }

        if (input.TimeZoneId is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            return DirectoryResult.Fail($"Unknown time zone '{zone}' (use an IANA name such as Europe/London).");
        }

        if (await db.Organisations.AnyAsync(o => o.Slug == input.Slug, ct))
        {
            return DirectoryResult.Fail($"An organisation '{input.Slug}' exists already.");
        }

        var now = Now;
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var organisation = new Organisation { Slug = input.Slug, Name = name, CreatedAt = now };
        if (input.TimeZoneId is not null)
        {
            organisation.TimeZoneId = input.TimeZoneId;
        }

        if (!string.IsNullOrWhiteSpace(input.WorkingHours))
        {
            organisation.WorkingHours = input.WorkingHours.Trim();
        }

        db.Organisations.Add(organisation);
        await db.SaveChangesAsync(ct);
        var team = new Team
        {
            OrganisationId = organisation.Id, Name = input.FirstTeam.Trim(), Slug = SlugOf(input.FirstTeam), IsDefault = true, SeesAllConversations = true, CreatedAt = now,
        };
        db.Teams.Add(team);
        audit.RecordAs(organisation.Id, null, Operator, "organisation.created", nameof(Organisation), organisation.Id, null,
            new { organisation.Name, organisation.Slug, organisation.TimeZoneId, organisation.WorkingHours, FirstTeam = team.Name });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new DirectoryResult(null, Id: organisation.Id);
    }

    public async Task<DirectoryResult> AddTeamAsync(string organisationSlug, string name, bool seesAll, CancellationToken ct)
    {
        var organisation = await FindOrganisationAsync(organisationSlug, ct);
        if (organisation is null)
        {
            return DirectoryResult.Fail($"No organisation '{organisationSlug}'.");
        }

        name = name.Trim();
        var slug = SlugOf(name);
        if (name.Length is 0 or > 200 || slug.Length == 0)
        {
            return DirectoryResult.Fail("Give the team's name (letters or digits, at most 200 characters).");
        }

        if (await db.Teams.IgnoreQueryFilters().AnyAsync(t => t.OrganisationId == organisation.Id && (t.Slug == slug || t.Name == name), ct))
        {
            return DirectoryResult.Fail($"{organisation.Name} has a team called '{name}' already.");
        }

        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var team = new Team { OrganisationId = organisation.Id, Name = name, Slug = slug, SeesAllConversations = seesAll, CreatedAt = Now };
        db.Teams.Add(team);
        await db.SaveChangesAsync(ct);
        audit.RecordAs(organisation.Id, null, Operator, "team.created", nameof(Team), team.Id, null, new { team.Name, team.Slug, team.SeesAllConversations });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new DirectoryResult(null, Id: team.Id);
    }

    /// <summary>Adds a member of staff with a generated password, returned once.</summary>
    public async Task<DirectoryResult> AddStaffAsync(NewStaffMember input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var organisation = await FindOrganisationAsync(input.OrganisationSlug, ct);
        if (organisation is null)
        {
            return DirectoryResult.Fail($"No organisation '{input.OrganisationSlug}'.");
        }

        var email = input.Email.Trim();
        if (!new EmailAddressAttribute().IsValid(email) || email.Length > 256)
        {
            return DirectoryResult.Fail($"'{input.Email}' is not an email address.");
        }

        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 200)
        {
            return DirectoryResult.Fail("Give the person's name as colleagues and the audit trail should show it.");
        }

        if (input.Roles.Count == 0)
        {
            return DirectoryResult.Fail($"Give at least one role: {string.Join(", ", Roles.All)}.");
        }

        var roleNames = new List<string>();
        foreach (var role in input.Roles)
        {
            var known = Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                return DirectoryResult.Fail($"Unknown role '{role}': use {string.Join(", ", Roles.All)}.");
            }

            roleNames.Add(known);
        }

        var teams = await db.Teams.IgnoreQueryFilters().Where(t => t.OrganisationId == organisation.Id).ToListAsync(ct);
        var chosen = new List<Team>();
        foreach (var slug in input.TeamSlugs)
        {
            var team = teams.FirstOrDefault(t => t.Slug == slug || string.Equals(t.Name, slug, StringComparison.OrdinalIgnoreCase));
            if (team is null)
            {
                return DirectoryResult.Fail($"{organisation.Name} has no team '{slug}': {string.Join(", ", teams.Select(t => t.Slug))}.");
            }

            chosen.Add(team);
        }

        // Least privilege: an agent or team lead sees what their teams see, so one without a team would see nothing
        // and could not be assigned work; say so rather than make a useless account.
        if (chosen.Count == 0 && roleNames.Any(r => r is Roles.Agent or Roles.TeamLead or Roles.Trainee))
        {
            return DirectoryResult.Fail("Agents, team leads and trainees work in a team: give --team.");
        }

        StaffMember? mentor = null;
        if (roleNames.Contains(Roles.Trainee))
        {
            mentor = input.MentorEmail is null ? null : await users.FindByEmailAsync(input.MentorEmail.Trim());
            if (mentor is null || mentor.OrganisationId != organisation.Id || !mentor.IsActive)
            {
                return DirectoryResult.Fail("A trainee's replies wait for their mentor: give --mentor, the email of an active member of staff in the same organisation.");
            }
        }

        if (await users.FindByEmailAsync(email) is not null)
        {
            return DirectoryResult.Fail($"{email} has an account already (use 'civicdesk staff reset-password' or 'reactivate').");
        }

        foreach (var role in roleNames)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        var password = Passwords.Generate();
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var member = new StaffMember
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = input.Name.Trim(), OrganisationId = organisation.Id, CreatedAt = Now, MentorId = mentor?.Id,
        };
        foreach (var team in chosen)
        {
            member.Teams.Add(new TeamMembership { OrganisationId = organisation.Id, StaffMemberId = member.Id, TeamId = team.Id });
        }

        var created = await users.CreateAsync(member, password);
        if (!created.Succeeded)
        {
            return DirectoryResult.Fail(string.Join("; ", created.Errors.Select(e => e.Description)));
        }

        var added = await users.AddToRolesAsync(member, roleNames);
        if (!added.Succeeded)
        {
            return DirectoryResult.Fail(string.Join("; ", added.Errors.Select(e => e.Description)));
        }

        audit.RecordAs(organisation.Id, null, Operator, "staff.added", nameof(StaffMember), member.Id, null,
            new { member.Email, member.DisplayName, Roles = roleNames, Teams = chosen.Select(t => t.Name), Mentor = mentor?.Email });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new DirectoryResult(null, password);
    }

    /// <summary>A new generated password, the lock-out cleared and every session signed out (new security stamp).</summary>
    public async Task<DirectoryResult> ResetPasswordAsync(string email, CancellationToken ct)
    {
        var member = await users.FindByEmailAsync(email.Trim());
        if (member is null)
        {
            return DirectoryResult.Fail($"No account for {email}.");
        }

        var password = Passwords.Generate();
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var token = await users.GeneratePasswordResetTokenAsync(member);
        var reset = await users.ResetPasswordAsync(member, token, password);
        if (!reset.Succeeded)
        {
            return DirectoryResult.Fail(string.Join("; ", reset.Errors.Select(e => e.Description)));
        }

        await users.SetLockoutEndDateAsync(member, null);
        await users.ResetAccessFailedCountAsync(member);
        await users.UpdateSecurityStampAsync(member);
        audit.RecordAs(member.OrganisationId, null, Operator, "staff.password-reset", nameof(StaffMember), member.Id);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new DirectoryResult(null, password);
    }

    /// <summary>
    /// Deactivated staff are refused on their next request (StaffSession checks <see cref="StaffMember.IsActive"/> on
    /// every request) and cannot sign in; their name stays on what they did.
    /// </summary>
    public async Task<DirectoryResult> SetActiveAsync(string email, bool active, CancellationToken ct)
    {
        var member = await users.FindByEmailAsync(email.Trim());
        if (member is null)
        {
            return DirectoryResult.Fail($"No account for {email}.");
        }

        if (member.IsActive == active)
        {
            return new DirectoryResult(null);
        }

        await using var tx = await db.BeginWriteTransactionAsync(ct);
        member.IsActive = active;
        await users.UpdateAsync(member);
        await users.UpdateSecurityStampAsync(member);
        audit.RecordAs(member.OrganisationId, null, Operator, active ? "staff.reactivated" : "staff.deactivated", nameof(StaffMember), member.Id,
            new { IsActive = !active }, new { IsActive = active });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new DirectoryResult(null);
    }

    public async Task<IReadOnlyList<StaffListing>?> ListAsync(string organisationSlug, CancellationToken ct)
    {
        var organisation = await FindOrganisationAsync(organisationSlug, ct);
        if (organisation is null)
        {
            return null;
        }

        var members = await db.Users.AsNoTracking().Where(u => u.OrganisationId == organisation.Id).OrderBy(u => u.DisplayName).ToListAsync(ct);
        var teamNames = await db.Teams.IgnoreQueryFilters().Where(t => t.OrganisationId == organisation.Id).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var memberships = await db.Set<TeamMembership>().IgnoreQueryFilters().AsNoTracking().Where(m => m.OrganisationId == organisation.Id).ToListAsync(ct);
        var roleRows = await (from ur in db.UserRoles
                              join r in db.Roles on ur.RoleId equals r.Id
                              join u in db.Users on ur.UserId equals u.Id
                              where u.OrganisationId == organisation.Id
                              select new { ur.UserId, r.Name }).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return members.Select(m => new StaffListing(
            m.Email ?? m.UserName ?? m.Id,
            m.DisplayName,
            roleRows.Where(r => r.UserId == m.Id).Select(r => r.Name ?? "").Order(StringComparer.Ordinal).ToList(),
            memberships.Where(x => x.StaffMemberId == m.Id).Select(x => teamNames.GetValueOrDefault(x.TeamId, "?")).Order(StringComparer.Ordinal).ToList(),
            m.IsActive, m.TwoFactorEnabled, m.LockoutEnd > now, m.CreatedAt)).ToList();
    }

    private Task<Organisation?> FindOrganisationAsync(string slugOrId, CancellationToken ct) =>
        db.Organisations.FirstOrDefaultAsync(o => o.Slug == slugOrId || o.Id.ToString() == slugOrId, ct);

    /// <summary>"Highways &amp; Transport" → "highways-transport".</summary>
    public static string SlugOf(string name)
    {
        var slug = NonSlug().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-');
        return slug.Length > 64 ? slug[..64].TrimEnd('-') : slug;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,63}$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlug();
}
