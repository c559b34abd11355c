using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Platform;

/// <summary>Staff session and sign-in protection (section <c>Security</c>). Defaults are the safe ones.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// However active a session is, it ends this long after the password was entered (sliding renewal alone would let
    /// a stolen cookie live for ever).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan AbsoluteSessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Administrators must have two-factor sign-in on before they can use anything but its enrolment page.</summary>
    public bool RequireTwoFactorForAdmin { get; set; } = true;

    /// <summary>Failed sign-ins (any account, unknown ones too) allowed from one client address per window.</summary>
    [Range(1, 10_000)] public int SignInFailuresPerAddress { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SignInFailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Optional: a PFX certificate whose key encrypts the Data Protection key ring at rest (connector secrets and sign-in
    /// cookies are protected by that ring). Its password comes from <see cref="KeyEncryptionCertificatePassword"/>,
    /// set by environment variable, never committed.
    /// </summary>
    public string? KeyEncryptionCertificatePath { get; set; }

    public string? KeyEncryptionCertificatePassword { get; set; }
}
