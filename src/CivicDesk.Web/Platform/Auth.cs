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
    /// <summary>
    /// Signed in, whatever the second factor: only for the pages an administrator needs to turn two-factor on
    /// (every other policy carries <see cref="AdminTwoFactorRequirement"/>).
    /// </summary>
    public const string SignedIn = "SignedIn";
    /// <summary>A guest curator with a live grant (the grant itself is checked on every request by <c>StaffSession</c>).</summary>
    public const string Curator = "Curator";

    public static void Add(AuthorizationOptions options)
    {
        // A page or endpoint that names no policy still needs a signed-in user: a new page is never public by accident.
        // Public pages say [AllowAnonymous] and public endpoints .AllowAnonymous(), explicitly (a test lists them all).
        // A staff role is required too, so a guest curator (who holds none) never reaches such a page either.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(Roles.All).Build();
        var twoFactor = new AdminTwoFactorRequirement();
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.All));
        options.AddPolicy(Staff, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.All).AddRequirements(twoFactor));
        options.AddPolicy(CaseWorker, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation)
            .RequireRole(Roles.Agent, Roles.TeamLead, Roles.Comms, Roles.Admin, Roles.Trainee).AddRequirements(twoFactor));
        options.AddPolicy(TeamLead, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.TeamLead, Roles.Admin).AddRequirements(twoFactor));
        options.AddPolicy(Newsroom, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.Comms, Roles.Admin, Roles.Trainee).AddRequirements(twoFactor));
        options.AddPolicy(Comms, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.Comms, Roles.Admin).AddRequirements(twoFactor));
        options.AddPolicy(Curator, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.Curator));
        options.AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaims.Organisation).RequireRole(Roles.Admin).AddRequirements(twoFactor));
    }
}

/// <summary>Met by anyone who is not an administrator, and by administrators signed in with two-factor turned on.</summary>
public sealed class AdminTwoFactorRequirement : IAuthorizationRequirement;

public sealed class AdminTwoFactorHandler(IOptionsMonitor<SecurityOptions> options) : AuthorizationHandler<AdminTwoFactorRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminTwoFactorRequirement requirement)
    {
        if (!options.CurrentValue.RequireTwoFactorForAdmin || !context.User.IsInRole(Roles.Admin)
            || context.User.HasClaim(StaffClaims.TwoFactor, StaffClaims.TwoFactorOn))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// An administrator without two-factor is not shown "access denied" but sent to enrol (the demo's admin can still sign
/// in and is asked to set up an authenticator first); everything else keeps the default behaviour.
/// </summary>
public sealed class TwoFactorEnrolmentResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly Microsoft.AspNetCore.Authorization.Policy.AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult authorizeResult)
    {
        // The fallback policy also runs for requests that matched no endpoint: those have nothing to protect, and a
        // citizen mistyping an address should get "page not found", not the staff sign-in page.
        if (context.GetEndpoint() is null && !authorizeResult.Succeeded)
        {
            return next(context);
        }

        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure is { } failure
            && failure.FailedRequirements.OfType<AdminTwoFactorRequirement>().Any()
            && failure.FailedRequirements.All(r => r is AdminTwoFactorRequirement))
        {
            if (Http.IsApi(context))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }

            context.Response.Redirect("/account/two-factor?required=admin");
            return Task.CompletedTask;
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

public static class StaffClaims
{
    public const string Organisation = "civicdesk:org";
    public const string DisplayName = "civicdesk:name";
    /// <summary>Present (value "on") when the member has two-factor sign-in turned on; refreshed with the cookie.</summary>
    public const string TwoFactor = "civicdesk:2fa";
    public const string TwoFactorOn = "on";

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
        if (user.TwoFactorEnabled)
        {
            identity.AddClaim(new Claim(StaffClaims.TwoFactor, StaffClaims.TwoFactorOn));
        }

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
            // Secure whenever the request came over HTTPS (behind a proxy, forwarded headers make that known).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(9);
            o.SlidingExpiration = true;
            // Identity's security-stamp check runs first; then the absolute lifetime and IsActive, on every request.
            var stampCheck = o.Events.OnValidatePrincipal;
            o.Events.OnValidatePrincipal = async ctx =>
            {
                await stampCheck(ctx);
                if (ctx.Principal is not null)
                {
                    await StaffSession.ValidateAsync(ctx);
                }
            };
            o.Events.OnSigningIn = ctx =>
            {
                StaffSession.StampSignIn(ctx);
                return Task.CompletedTask;
            };
            // APIs answer 401/403, not a redirect to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden);
        });
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddSingleton<IAuthorizationHandler, AdminTwoFactorHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, TwoFactorEnrolmentResultHandler>();
        builder.Services.AddSingleton<SignInThrottle>();
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
