using System.Text.RegularExpressions;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CivicDesk.Web.Platform.Email;

/// <summary>
/// MailKit implementation of <see cref="ICitizenMailer"/>. One SMTP connection per mail: citizen mail is low
/// volume (sign-in links, case updates, outcome notices), and a fresh connection never trips over a server that
/// dropped an idle one.
/// </summary>
public sealed partial class CitizenMailer(
    IOptions<EmailOptions> options, IConfiguration configuration, IHostEnvironment environment,
    TimeProvider clock, ILogger<CitizenMailer> log) : ICitizenMailer
{
    public async Task SendAsync(CitizenMail mail, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var message = Build(mail, options.Value, clock.GetUtcNow());
        var smtp = options.Value.Smtp;
        if (!string.IsNullOrWhiteSpace(smtp.Host))
        {
            await SendSmtpAsync(message, smtp, ct);
            log.LogInformation("Sent {Purpose} mail over SMTP ({Host}:{Port})", mail.Purpose, smtp.Host, smtp.Port);
            return;
        }

        if (!PickupAllowed())
        {
            throw new CitizenMailException("Email is not configured: set Email:Smtp:Host (or Email:PickupDirectory=true to write .eml files).");
        }

        var path = await WritePickupAsync(message, ct);
        // Development and demo only: the link is the whole point of most citizen mail, so say it where a developer looks.
        var links = string.Join(" ", UrlPattern().Matches(mail.TextBody).Select(m => m.Value).Distinct());
        log.LogInformation("No SMTP configured: {Purpose} mail to {To} written to {Path}; links: {Links}", mail.Purpose, mail.To, path, links);
    }

    internal static MimeMessage Build(CitizenMail mail, EmailOptions options, DateTimeOffset now)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(new MailboxAddress(mail.ToName ?? "", mail.To));
        message.Subject = mail.Subject;
        message.Date = now;
        message.Headers.Add("X-CivicDesk-Purpose", mail.Purpose);
        // Citizen mail is transactional: ask auto-responders to stay quiet.
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var text = mail.TextBody;
        var html = mail.HtmlBody;
        if (mail.UnsubscribeUrl is { } unsubscribe)
        {
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe.AbsoluteUri}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            text += $"\n\n--\nStop these emails: {unsubscribe.AbsoluteUri}\n";
            if (html is not null)
            {
                html += $"<hr><p>Stop these emails: <a href=\"{System.Net.WebUtility.HtmlEncode(unsubscribe.AbsoluteUri)}\">unsubscribe</a></p>";
            }
        }

        var body = new BodyBuilder { TextBody = text, HtmlBody = html };
        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>Hands one message to the SMTP server (shared with <see cref="StaffMailer"/>).</summary>
    internal static async Task SendSmtpAsync(MimeMessage message, SmtpOptions smtp, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        try
        {
            var security = smtp.Tls switch
            {
                SmtpTls.None => SecureSocketOptions.None,
                SmtpTls.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
                SmtpTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(smtp.Host!, smtp.Port, security, ct);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct);
            }

            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or AuthenticationException
                                      or IOException or System.Net.Sockets.SocketException or SslHandshakeException or TimeoutException
                                      or NotSupportedException)
        {
            // NotSupportedException: the server lacks STARTTLS (or the auth mechanism) the options require.
            throw new CitizenMailException($"The SMTP server {smtp.Host}:{smtp.Port} did not accept the mail: {e.Message}", e);
        }
    }

    private bool PickupAllowed() => PickupAllowed(options.Value, environment, configuration);

    internal static bool PickupAllowed(EmailOptions options, IHostEnvironment environment, IConfiguration configuration) =>
        options.PickupDirectory ?? (environment.IsDevelopment() || environment.IsEnvironment("Testing")
                                    || configuration.GetValue<bool>("Demo:Enabled"));

    private Task<string> WritePickupAsync(MimeMessage message, CancellationToken ct) => WritePickupAsync(message, configuration, clock, ct);

    internal static async Task<string> WritePickupAsync(MimeMessage message, IConfiguration configuration, TimeProvider clock, CancellationToken ct)
    {
        var dir = Path.Combine(DataDirectory.Resolve(configuration), "mail");
        Directory.CreateDirectory(dir);
        // Sortable by time, unique by message id; written to a temp name first so a reader never sees half a file.
        var name = $"{clock.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{Guid.NewGuid():N}.eml";
        var path = Path.Combine(dir, name);
        var temp = path + ".tmp";
        await using (var file = File.Create(temp))
        {
            await message.WriteToAsync(file, ct);
        }

        File.Move(temp, path);
        return path;
    }

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex UrlPattern();
}

public static class EmailFeature
{
    /// <summary>Citizen email (sign-in links, case updates, participation notices). Called by AddPlatform.</summary>
    public static IServiceCollection AddCitizenEmail(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ICitizenMailer, CitizenMailer>();
        services.AddSingleton<IStaffMailer, StaffMailer>();
        return services;
    }
}
