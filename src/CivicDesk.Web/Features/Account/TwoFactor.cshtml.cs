using System.Globalization;
using System.Text;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;

namespace CivicDesk.Web.Features.Account;

/// <summary>
/// Enrol an authenticator app (RFC 6238 TOTP via Identity's authenticator token provider), see recovery codes once,
/// or turn two-factor sign-in off. Enabling or disabling needs a current code, so a borrowed session cannot do it.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public sealed class TwoFactorModel(UserManager<StaffMember> users, SignInManager<StaffMember> signIn, AuditLog audit) : PageModel
{
    private const string Issuer = "CivicDesk";

    public bool IsEnabled { get; private set; }
    public string SharedKey { get; private set; } = "";
    public string AuthenticatorUri { get; private set; } = "";
    public string QrCodeDataUri { get; private set; } = "";
    public int RecoveryCodesLeft { get; private set; }
    /// <summary>Shown once, straight after enabling; never stored in readable form.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    [BindProperty] public string? Code { get; set; }
    /// <summary>"admin" when an administrator was sent here because their role needs two-factor sign-in.</summary>
    [BindProperty(SupportsGet = true)] public string? Required { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var member = await users.GetUserAsync(User);
        if (member is null)
        {
            return Challenge();
        }

        await LoadAsync(member);
        return Page();
    }

    public async Task<IActionResult> OnPostEnableAsync()
    {
        var member = await users.GetUserAsync(User);
        if (member is null)
        {
            return Challenge();
        }

        if (await users.GetTwoFactorEnabledAsync(member))
        {
            // Already on (a resubmitted form, say): never silently replace the recovery codes.
            return RedirectToPage();
        }

        var code = Normalise(Code);
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            ModelState.AddModelError(nameof(Code), "Enter the 6-digit code from your authenticator app");
        }
        else if (!await users.VerifyTwoFactorTokenAsync(member, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            ModelState.AddModelError(nameof(Code), "The code is not correct or has expired. Enter the latest code from your app");
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(member);
            return Page();
        }

        // Identity's store saves through this request's CivicDeskDb, so the audit event commits with the change.
        audit.RecordAs(member.OrganisationId, member.Id, member.DisplayName, "staff.two-factor-enabled", "StaffMember", member.Id);
        Ensure(await users.SetTwoFactorEnabledAsync(member, true));
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(member, 10))?.ToList() ?? [];
        // Enabling changes the security stamp; refresh the cookie so this session stays signed in.
        await signIn.RefreshSignInAsync(member);
        await LoadAsync(member);
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync()
    {
        var member = await users.GetUserAsync(User);
        if (member is null)
        {
            return Challenge();
        }

        if (!await users.GetTwoFactorEnabledAsync(member))
        {
            return RedirectToPage();
        }

        var code = Normalise(Code);
        var valid = code.Length == 6
            ? await users.VerifyTwoFactorTokenAsync(member, users.Options.Tokens.AuthenticatorTokenProvider, code)
            : code.Length > 0 && (await users.RedeemTwoFactorRecoveryCodeAsync(member, code)).Succeeded;
        if (!valid)
        {
            ModelState.AddModelError(nameof(Code), "Enter a correct code from your authenticator app, or one of your recovery codes");
            await LoadAsync(member);
            return Page();
        }

        audit.RecordAs(member.OrganisationId, member.Id, member.DisplayName, "staff.two-factor-disabled", "StaffMember", member.Id);
        Ensure(await users.SetTwoFactorEnabledAsync(member, false));
        Ensure(await users.ResetAuthenticatorKeyAsync(member));
        await signIn.RefreshSignInAsync(member);
        return RedirectToPage();
    }

    private async Task LoadAsync(StaffMember member)
    {
        IsEnabled = await users.GetTwoFactorEnabledAsync(member);
        if (IsEnabled)
        {
            RecoveryCodesLeft = await users.CountRecoveryCodesAsync(member);
            return;
        }

        var key = await users.GetAuthenticatorKeyAsync(member);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(member);
            key = await users.GetAuthenticatorKeyAsync(member) ?? throw new InvalidOperationException("No authenticator key was generated.");
        }

        SharedKey = FormatKey(key);
        // Key URI format: https://github.com/google/google-authenticator/wiki/Key-Uri-Format
        var account = member.Email ?? member.UserName ?? member.Id;
        AuthenticatorUri = string.Create(CultureInfo.InvariantCulture,
            $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(account)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6&period=30");
        var png = PngByteQRCodeHelper.GetQRCode(AuthenticatorUri, QRCodeGenerator.ECCLevel.M, 5, true);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(png);
    }

    private static void Ensure(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Two-factor settings could not be saved: " + string.Join("; ", result.Errors.Select(e => e.Code)));
        }
    }

    private static string Normalise(string? code) =>
        (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim();

    /// <summary>Groups of four, lower case, as authenticator apps show them.</summary>
    private static string FormatKey(string key)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(key.AsSpan(i, Math.Min(4, key.Length - i)));
        }

        return sb.ToString().ToLowerInvariant();
    }
}
