using MimeKit;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Platform.Email;

/// <summary>A file attached to a staff mail.</summary>
public sealed record MailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>
/// One email to one member of staff or named address (monthly reports). Plain text always, HTML optional, and
/// attachments. Sent one recipient per mail, so no recipient sees another's address.
/// </summary>
public sealed record StaffMail(string To, string Subject, string TextBody)
{
    public string? ToName { get; init; }
    public string? HtmlBody { get; init; }
    public IReadOnlyList<MailAttachment> Attachments { get; init; } = [];
    /// <summary>What the mail is for (e.g. "monthly-report"): a header and the log line; never personal data.</summary>
    public string Purpose { get; init; } = "staff-notice";
}

/// <summary>Sends staff email with attachments through the same SMTP settings (<c>Email:</c>) as <see cref="ICitizenMailer"/>.</summary>
public interface IStaffMailer
{
    /// <summary>Sends the mail; throws <see cref="CitizenMailException"/> when it cannot be handed over.</summary>
    Task SendAsync(StaffMail mail, CancellationToken ct = default);
}

/// <summary>
/// MailKit implementation of <see cref="IStaffMailer"/>: the citizen mailer's transport (SMTP, or .eml files in
/// development and demo) with a message that may carry attachments.
/// </summary>
public sealed class StaffMailer(IOptions<EmailOptions> options, IConfiguration configuration, IHostEnvironment environment,
    TimeProvider clock, ILogger<StaffMailer> log) : IStaffMailer
{
    public async Task SendAsync(StaffMail mail, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var message = Build(mail, options.Value, clock.GetUtcNow());
        var smtp = options.Value.Smtp;
        if (!string.IsNullOrWhiteSpace(smtp.Host))
        {
            await CitizenMailer.SendSmtpAsync(message, smtp, ct);
            log.LogInformation("Sent {Purpose} mail over SMTP ({Host}:{Port})", mail.Purpose, smtp.Host, smtp.Port);
            return;
        }

        if (!CitizenMailer.PickupAllowed(options.Value, environment, configuration))
        {
            throw new CitizenMailException("Email is not configured: set Email:Smtp:Host (or Email:PickupDirectory=true to write .eml files).");
        }

        var path = await CitizenMailer.WritePickupAsync(message, configuration, clock, ct);
        log.LogInformation("No SMTP configured: {Purpose} mail written to {Path}", mail.Purpose, path);
    }

    internal static MimeMessage Build(StaffMail mail, EmailOptions options, DateTimeOffset now)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(new MailboxAddress(mail.ToName ?? "", mail.To));
        message.Subject = mail.Subject;
        message.Date = now;
        message.Headers.Add("X-CivicDesk-Purpose", mail.Purpose);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var body = new BodyBuilder { TextBody = mail.TextBody, HtmlBody = mail.HtmlBody };
        foreach (var a in mail.Attachments)
        {
            body.Attachments.Add(a.FileName, a.Content, ContentType.Parse(a.ContentType));
        }

        message.Body = body.ToMessageBody();
        return message;
    }
}
