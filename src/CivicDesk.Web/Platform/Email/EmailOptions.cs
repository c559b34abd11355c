using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Platform.Email;

/// <summary>Configuration section <c>Email</c>. Credentials come from the environment or user secrets, never appsettings.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>The From address, e.g. <c>Anytown Council &lt;no-reply@anytown.gov.uk&gt;</c>.</summary>
    [Required]
    public string From { get; set; } = "CivicDesk <no-reply@civicdesk.invalid>";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// With no SMTP host, write each mail as an .eml file under the data directory (mail/) and log its links.
    /// Null means: only in Development, Testing or demo mode. Production with no SMTP and no pickup fails loudly.
    /// </summary>
    public bool? PickupDirectory { get; set; }
}

public sealed class SmtpOptions
{
    /// <summary>SMTP server host; empty means no SMTP.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>How the connection is secured. Auto: TLS on connect for 465, STARTTLS when offered otherwise.</summary>
    public SmtpTls Tls { get; set; } = SmtpTls.StartTls;

    public string? UserName { get; set; }
    public string? Password { get; set; }

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;
}

public enum SmtpTls
{
    /// <summary>Plain text: only for a relay on the same host or a test server on loopback.</summary>
    None,
    /// <summary>STARTTLS, required: the send fails rather than fall back to plain text.</summary>
    StartTls,
    /// <summary>STARTTLS when the server offers it.</summary>
    StartTlsWhenAvailable,
    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,
}
