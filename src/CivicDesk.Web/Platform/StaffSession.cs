using System.Globalization;
using CivicDesk.Web.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Platform;

/// <summary>
/// The two checks the cookie's own expiry cannot make: a session ends a fixed time after sign-in however busy it is,
/// and a member of staff made inactive is signed out on their very next request (not at the next security-stamp check);
/// a guest curator likewise once their grant has ended or been revoked.
/// </summary>
public static class StaffSession
{
    /// <summary>Kept in the cookie's authentication properties, which survive sliding renewal and RefreshSignInAsync.</summary>
    internal const string SignedInAtItem = "civicdesk.signed-in-at";

    public static void StampSignIn(CookieSigningInContext ctx)
    {
        if (!ctx.Properties.Items.ContainsKey(SignedInAtItem))
        {
            var now = ctx.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            ctx.Properties.Items[SignedInAtItem] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }
    }

    public static async Task ValidateAsync(CookieValidatePrincipalContext ctx)
    {
        var services = ctx.HttpContext.RequestServices;
        var options = services.GetRequiredService<IOptionsMonitor<SecurityOptions>>().CurrentValue;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var signedInAt = ctx.Properties.Items.TryGetValue(SignedInAtItem, out var raw) && long.TryParse(raw, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            // A cookie without the stamp predates this check: treat its issue time as the sign-in.
            : ctx.Properties.IssuedUtc ?? DateTimeOffset.MinValue;
        var expired = now - signedInAt > options.AbsoluteSessionLifetime;
        var active = !expired && ctx.Principal?.StaffId() is { } id
            && await services.GetRequiredService<CivicDeskDb>().Users.AsNoTracking().AnyAsync(u => u.Id == id && u.IsActive, ctx.HttpContext.RequestAborted);
        // A guest curator's sign-in is worth only as much as a live grant: it ends at the grant's end time (or when the
        // grant is revoked) on the very next request, with no job involved.
        if (active && ctx.Principal!.IsInRole(Domain.Roles.Curator))
        {
            active = await Features.Accounts.GuestCurators.HasLiveGrantAsync(services.GetRequiredService<CivicDeskDb>(), ctx.Principal.StaffId()!, now.UtcDateTime, ctx.HttpContext.RequestAborted);
        }

        if (!active)
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme);
        }
    }
}
