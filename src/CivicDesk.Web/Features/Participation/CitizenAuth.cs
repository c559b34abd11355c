using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform.Email;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Participation;

/// <summary>The citizen cookie scheme: separate from staff Identity, so a citizen session never grants staff access.</summary>
public static class CitizenAuth
{
    public const string Scheme = "Citizen";
    public const string AccountClaim = "civicdesk:citizen";
    public const string OrganisationClaim = "civicdesk:citizen-org";
    /// <summary>The cookie that binds a sign-in link to the browser that asked for it.</summary>
    public const string BrowserCookie = "civicdesk.citizen-nonce";

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static ClaimsPrincipal Principal(CitizenAccount account) => new(new ClaimsIdentity(
    [
        new Claim(AccountClaim, account.Id.ToString(CultureInfo.InvariantCulture)),
        new Claim(OrganisationClaim, account.OrganisationId.ToString(CultureInfo.InvariantCulture)),
    ], Scheme));
}

public sealed class CitizenOptions
{
    public const string Section = "Citizens";

    /// <summary>How long a sign-in link works (the issue: 15 minutes).</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Sign-in mails to one address per hour; more requests get the same answer and no mail.</summary>
    public int MailsPerAddressPerHour { get; set; } = 3;
    /// <summary>Sign-in requests per client address per 10 minutes (ASP.NET Core rate limiter).</summary>
    public int RequestsPerAddressPerTenMinutes { get; set; } = 10;
    /// <summary>How long a citizen stays signed in.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(30);
    /// <summary>
    /// The site's public address for links in mail (e.g. https://talk.anytown.gov.uk). Unset: the request's own
    /// scheme and host, which is right only behind a proxy that fixes the Host header.
    /// </summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>Who the citizen on this request is, if anyone: the cookie, checked against an account that still exists.</summary>
public sealed class CitizenSession(IHttpContextAccessor http, CivicDeskDb db)
{
    private CitizenAccount? _account;
    private bool _loaded;

    public async Task<CitizenAccount?> CurrentAsync(CancellationToken ct)
    {
        if (_loaded)
        {
            return _account;
        }

        _loaded = true;
        var context = http.HttpContext;
        if (context is null)
        {
            return null;
        }

        var result = await context.AuthenticateAsync(CitizenAuth.Scheme);
        if (!result.Succeeded
            || !long.TryParse(result.Principal.FindFirstValue(CitizenAuth.AccountClaim), CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(result.Principal.FindFirstValue(CitizenAuth.OrganisationClaim), CultureInfo.InvariantCulture, out var org))
        {
            return null;
        }

        // A deleted account's cookie stops working at once: the row is gone.
        _account = await db.CitizenAccounts.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(a => a.Id == id && a.OrganisationId == org && a.OrganisationId == db.CurrentOrganisationId, ct);
        return _account;
    }
}

public enum SignInLinkResult
{
    SignedIn,
    NotFound,
    Expired,
    Used,
    OtherBrowser,
}

/// <summary>
/// Sign-in by one-time link. Only hashes are stored. The answer to "send me a link" is the same whether or not the
/// address has an account, and whether or not a mail was actually sent (the per-address limit is silent).
/// </summary>
public sealed class CitizenSignIn(
    CivicDeskDb db, ICitizenMailer mailer, TimeProvider clock, IOptions<CitizenOptions> options, ILogger<CitizenSignIn> log)
{
    /// <summary>Records a link and mails it, unless this address has had its share this hour. Never says which.</summary>
    public async Task RequestLinkAsync(long organisationId, string organisationName, string email, string browserNonce,
        Uri baseUrl, string? returnUrl, string? clientAddress, CancellationToken ct)
    {
        var address = Normalise(email);
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddHours(-1);
        var recent = await db.CitizenSignInTokens.IgnoreQueryFilters()
            .CountAsync(t => t.OrganisationId == organisationId && t.Email == address && t.CreatedAt >= since, ct);
        if (recent >= options.Value.MailsPerAddressPerHour)
        {
            log.LogWarning("Sign-in mail limit reached for an address (organisation {Organisation})", organisationId);
            return;
        }

        var token = CitizenAuth.NewSecret();
        db.CitizenSignInTokens.Add(new CitizenSignInToken
        {
            OrganisationId = organisationId,
            Email = address,
            TokenHash = CitizenAuth.Hash(token),
            BrowserHash = CitizenAuth.Hash(browserNonce),
            RequestedFrom = clientAddress,
            CreatedAt = now,
            ExpiresAt = now + options.Value.LinkLifetime,
        });
        await db.SaveChangesAsync(ct);

        var link = new Uri(baseUrl, "/participate/sign-in/" + token + (IsLocal(returnUrl) ? "?returnUrl=" + Uri.EscapeDataString(returnUrl!) : ""));
        var minutes = (int)options.Value.LinkLifetime.TotalMinutes;
        var text = $"""
            Use this link to sign in to {organisationName}'s consultations and challenges:

            {link.AbsoluteUri}

            The link works once, for {minutes} minutes, in the browser where you asked for it.

            If you did not ask to sign in, you can ignore this email: nobody can sign in without the link.
            """;
        var html = $"""
            <p>Use this link to sign in to {System.Net.WebUtility.HtmlEncode(organisationName)}'s consultations and challenges:</p>
            <p><a href="{System.Net.WebUtility.HtmlEncode(link.AbsoluteUri)}">Sign in</a></p>
            <p>The link works once, for {minutes} minutes, in the browser where you asked for it.</p>
            <p>If you did not ask to sign in, you can ignore this email: nobody can sign in without the link.</p>
            """;
        try
        {
            await mailer.SendAsync(new CitizenMail(address, $"Sign in to {organisationName}", text) { HtmlBody = html, Purpose = "sign-in" }, ct);
        }
        catch (CitizenMailException e)
        {
            // The answer stays the same; the failure is for the operators.
            log.LogError(e, "Could not send a sign-in mail");
        }
    }

    /// <summary>Uses a link: once, before it expires, in the browser that asked. Creates the account on first use.</summary>
    public async Task<(SignInLinkResult Result, CitizenAccount? Account)> UseLinkAsync(long organisationId, string token, string? browserNonce, CancellationToken ct)
    {
        var hash = CitizenAuth.Hash(token);
        var row = await db.CitizenSignInTokens.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(t => t.TokenHash == hash && t.OrganisationId == organisationId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (row is null)
        {
            return (SignInLinkResult.NotFound, null);
        }

        if (row.UsedAt is not null)
        {
            return (SignInLinkResult.Used, null);
        }

        if (row.ExpiresAt <= now)
        {
            return (SignInLinkResult.Expired, null);
        }

        if (browserNonce is null || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(CitizenAuth.Hash(browserNonce)), Encoding.ASCII.GetBytes(row.BrowserHash)))
        {
            return (SignInLinkResult.OtherBrowser, null);
        }

        // Works once even when two tabs race: only one UPDATE finds UsedAt still null.
        var claimed = await db.CitizenSignInTokens.IgnoreQueryFilters()
            .Where(t => t.Id == row.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        if (claimed == 0)
        {
            return (SignInLinkResult.Used, null);
        }

        var account = await db.CitizenAccounts.IgnoreQueryFilters()
            .FirstOrDefaultAsync(a => a.OrganisationId == organisationId && a.Email == row.Email, ct);
        if (account is null)
        {
            account = new CitizenAccount { OrganisationId = organisationId, Email = row.Email, CreatedAt = now };
            db.CitizenAccounts.Add(account);
        }

        account.LastSignedInAt = now;
        await db.SaveChangesAsync(ct);
        return (SignInLinkResult.SignedIn, account);
    }

    public static string Normalise(string email) => email.Trim().ToLowerInvariant();

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    /// <summary>The base for links in mail: the configured public address, else this request's.</summary>
    public static Uri BaseUrl(HttpRequest request, CitizenOptions options) =>
        !string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? new Uri(options.PublicBaseUrl) : new Uri($"{request.Scheme}://{request.Host}");
}

/// <summary>The model of the citizen bar partial (a wrapper: a null partial model would fall back to the page's model).</summary>
public sealed record CitizenBar(CitizenAccount? Account);
