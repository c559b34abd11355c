using CivicDesk.Web.Domain;
using Microsoft.AspNetCore.Identity;

namespace CivicDesk.Web.Platform;

/// <summary>
/// What the first sign-in would otherwise compile on the request: EF Core's query pipeline (the first LINQ query of a
/// process JITs it, 0.3–0.5 CPU s, bench startup-model) and the sign-in's own queries (the account by email, its roles
/// and claims), run once against an address no account has. On a start it runs on a thread-pool thread, after the
/// model is built (DataFeature.BuildModelInBackground) and the schema is current, while the main thread maps the
/// endpoints and starts the server: on two cores that is the second core's work, not the first visitor's.
/// </summary>
public static class StartupWarmUp
{
    /// <summary>An address no account can have (.invalid is reserved, RFC 2606).</summary>
    private const string Nobody = "start-up-warm-up@civicdesk.invalid";

    public static Task WarmUpSignInInBackground(this IServiceProvider services, Task model) => Task.Run(async () =>
    {
        try
        {
            await model;
            await using var scope = services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffMember>>();
            await users.FindByEmailAsync(Nobody);
            var nobody = new StaffMember { Id = Guid.Empty.ToString(), UserName = Nobody, Email = Nobody, DisplayName = "", SecurityStamp = "" };
            await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<StaffMember>>().CreateAsync(nobody);
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            if (await roles.FindByNameAsync(Roles.Agent) is { } role)
            {
                await roles.GetClaimsAsync(role);
            }
        }
        catch (ObjectDisposedException)
        {
            // The host was stopped (a test's) before the warm-up ran.
        }
        catch (Exception e)
        {
            // Only a head start: the first sign-in compiles whatever this did not.
            services.GetService<ILoggerFactory>()?.CreateLogger(typeof(StartupWarmUp)).LogWarning(e, "Warming up the sign-in's queries failed");
        }
    });
}
