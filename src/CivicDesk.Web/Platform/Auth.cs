using System.Security.Claims;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Platform;

/// <summary>Authorisation policy names. Pages and endpoints name a policy; the roles behind it live here only.</summary>
public static class Policies
{
    /// <summary>Any signed-in member of staff: read the conversations their teams can see.</summary>
    public const string Staff = "Staff";
    /// <summary>Work conversations: reply, note, assign, change status. Analysts only read; a trainee's replies wait for review.</summary>
    public const string CaseWorker = "CaseWorker";
    /// <summary>Assign across teams, try routing rules.</summary>
    public const string TeamLead = "TeamLead";
    /// <summary>Newsroom posts and publishing to the organisation's accounts: comms and admins (a trainee's work goes to review).</summary>
    public const string Newsroom = "Newsroom";
    /// <summary>Speak for the organisation: incidents, rumours, Q&amp;A sessions and the FAQ (Comms and Admin).</summary>
    public const string Comms = "Comms";
    /// <summary>Routing rules, channels, staff.</summary>
    public const string Admin = "Admin";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Staff, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.All));
        options.AddPolicy(CaseWorker, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation)
            .RequireRole(Roles.Agent, Roles.TeamLead, Roles.Comms, Roles.Admin, Roles.Trainee));
        options.AddPolicy(TeamLead, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.TeamLead, Roles.Admin));
        options.AddPolicy(Newsroom, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.Comms, Roles.Admin, Roles.Trainee));
        options.AddPolicy(Comms, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.Comms, Roles.Admin));
        options.AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.Admin));
    }
}

public static class StaffClaims
{
    public const string Organisation = "civicdesk:org";
    public const string DisplayName = "civicdesk:name";

    public static long? OrganisationId(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(Organisation), out var id) ? id : null;

    public static string? StaffId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);

    public static string DisplayNameOf(this ClaimsPrincipal user) =>
        user.FindFirstValue(DisplayName) ?? user.Identity?.Name ?? "unknown";
}

/// <summary>Puts the organisation and display name into the sign-in cookie so every request knows its tenant.</summary>
public sealed class StaffClaimsFactory(UserManager<StaffMember> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StaffMember, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffMember user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(StaffClaims.Organisation, user.OrganisationId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(StaffClaims.DisplayName, user.DisplayName));
        return identity;
    }
}

public static class AuthFeature
{
    public static WebApplicationBuilder AddStaffAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddIdentity<StaffMember, IdentityRole>(o =>
            {
                // NCSC guidance: length over composition rules; lock out guessing.
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = true;
                o.Password.RequireDigit = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<CivicDeskDb>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<StaffClaimsFactory>();

        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/sign-in";
            o.LogoutPath = "/account/sign-out";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "civicdesk.staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.ExpireTimeSpan = TimeSpan.FromHours(9);
            o.SlidingExpiration = true;
            // APIs answer 401/403, not a redirect to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden);
        });
        builder.Services.AddAuthorization(Policies.Add);
        return builder;
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        if (Http.IsApi(ctx.HttpContext))
        {
            ctx.Response.StatusCode = status;
        }
        else
        {
            ctx.Response.Redirect(ctx.RedirectUri);
        }

        return Task.CompletedTask;
    }

    /// <summary>After authentication: the scope's organisation is the signed-in member's.</summary>
    public static IApplicationBuilder UseOrganisationFromUser(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (ctx.User.OrganisationId() is { } org)
        {
            ctx.RequestServices.GetRequiredService<OrganisationContext>().Set(org);
        }

        await next(ctx);
    });
}
