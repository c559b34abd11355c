using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// An organisation built for one test: teams (the first is the default), one staff member per role (all in the first
/// team unless said otherwise), a web-form channel and an API channel with a known key.
/// </summary>
public sealed record TestOrganisation(
    long Id,
    string Slug,
    IReadOnlyDictionary<string, long> Teams,
    IReadOnlyDictionary<string, TestStaff> Staff,
    long WebFormChannelId,
    long ApiChannelId,
    string ApiKey)
{
    public const string Password = "correct-horse-battery-9";

    public static async Task<TestOrganisation> CreateAsync(CivicDeskFactory factory, string? slug = null, params string[] teams)
    {
        slug ??= "org-" + Guid.NewGuid().ToString("N")[..8];
        teams = teams.Length == 0 ? ["Customer Services", "Highways", "Waste"] : teams;
        await using var scope = factory.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        var org = new Organisation { Slug = slug, Name = $"Test council {slug}", CreatedAt = now };
        db.Organisations.Add(org);
        await db.SaveChangesAsync();
        sp.GetRequiredService<OrganisationContext>().Set(org.Id);

        var teamRows = teams.Select((name, i) => new Team
        {
            OrganisationId = org.Id, Name = name, Slug = name.ToLowerInvariant().Replace(' ', '-'), IsDefault = i == 0, CreatedAt = now,
        }).ToList();
        db.Teams.AddRange(teamRows);
        var apiKey = ApiKeys.Generate();
        var webForm = new Channel { OrganisationId = org.Id, Kind = ChannelKind.WebForm, Name = "Web form", CreatedAt = now };
        var api = new Channel { OrganisationId = org.Id, Kind = ChannelKind.Api, Name = "Ingest API", ApiKeyHash = ApiKeys.Hash(apiKey), CreatedAt = now };
        db.Channels.AddRange(webForm, api);
        await db.SaveChangesAsync();

        var users = sp.GetRequiredService<UserManager<StaffMember>>();
        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        var staff = new Dictionary<string, TestStaff>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }

            var email = $"{role.ToLowerInvariant()}@{slug}.test";
            var member = new StaffMember { UserName = email, Email = email, DisplayName = $"{role} of {slug}", OrganisationId = org.Id, CreatedAt = now };
            member.Teams.Add(new TeamMembership { OrganisationId = org.Id, StaffMemberId = member.Id, TeamId = teamRows[0].Id });
            var created = await users.CreateAsync(member, Password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
            }

            await users.AddToRoleAsync(member, role);
            if (role == Roles.Admin)
            {
                // Administrators must use two-factor sign-in (Security:RequireTwoFactorForAdmin); StaffClient answers
                // the second step from the key stored here.
                await users.ResetAuthenticatorKeyAsync(member);
                await users.SetTwoFactorEnabledAsync(member, true);
            }

            staff[role] = new TestStaff(member.Id, email, role);
        }

        return new TestOrganisation(org.Id, slug, teamRows.ToDictionary(t => t.Name, t => t.Id), staff, webForm.Id, api.Id, apiKey);
    }
}

public sealed record TestStaff(string Id, string Email, string Role);
