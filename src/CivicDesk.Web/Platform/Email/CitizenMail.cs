namespace CivicDesk.Web.Platform.Email;

/// <summary>
/// One email to one citizen. Every citizen mail has a plain-text body (read by every client and screen reader);
/// the HTML body is optional. A mail a citizen can opt out of names its unsubscribe link: it is added to the text,
/// and sent as the List-Unsubscribe header (RFC 2369 / RFC 8058 one-click) so mail clients offer it too.
/// </summary>
public sealed record CitizenMail(string To, string Subject, string TextBody)
{
    public string? ToName { get; init; }
    public string? HtmlBody { get; init; }
    public Uri? UnsubscribeUrl { get; init; }
    /// <summary>What the mail is for (e.g. "sign-in", "case-update"): a header, and the log line; never personal data.</summary>
    public string Purpose { get; init; } = "notice";
}

/// <summary>Sends citizen email: over SMTP when <c>Email:Smtp:Host</c> is set, else (development and demo) to .eml files.</summary>
public interface ICitizenMailer
{
    /// <summary>Sends the mail; throws <see cref="CitizenMailException"/> when it cannot be handed over.</summary>
    Task SendAsync(CitizenMail mail, CancellationToken ct = default);
}

/// <summary>The mail could not be handed to the SMTP server (or no delivery is configured).</summary>
public sealed class CitizenMailException(string message, Exception? inner = null) : Exception(message, inner);
