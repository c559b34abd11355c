using CivicDesk.Web.Platform.Email;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CivicDesk.Web.Tests.Email;

public sealed class CitizenMailerTests
{
    private sealed class SmtpFactory(TestSmtpServer smtp) : CivicDeskFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => smtp.Settings;
    }

    [Fact]
    public async Task The_app_sends_text_html_and_unsubscribe_over_a_real_smtp_conversation()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var factory = new SmtpFactory(smtp);
        var mailer = factory.Services.GetRequiredService<ICitizenMailer>();

        await mailer.SendAsync(new CitizenMail("ada@example.org", "Your case CD-1 was updated", "See https://council.example/status/CD-1 for details.")
        {
            ToName = "Ada",
            HtmlBody = "<p>See <a href=\"https://council.example/status/CD-1\">your case</a>.</p>",
            UnsubscribeUrl = new Uri("https://council.example/email/unsubscribe?t=abc"),
            Purpose = "case-update",
        });

        var mail = await smtp.WaitForMailAsync("ada@example.org");
        mail.Subject.ShouldBe("Your case CD-1 was updated");
        mail.From.Mailboxes.Single().Address.ShouldBe("no-reply@test-council.invalid");
        mail.TextBody!.ShouldContain("https://council.example/status/CD-1");
        mail.TextBody!.ShouldContain("Stop these emails: https://council.example/email/unsubscribe?t=abc");
        mail.HtmlBody!.ShouldContain("href=\"https://council.example/email/unsubscribe?t=abc\"");
        mail.Headers["List-Unsubscribe"].ShouldBe("<https://council.example/email/unsubscribe?t=abc>");
        mail.Headers["List-Unsubscribe-Post"].ShouldBe("List-Unsubscribe=One-Click");
        mail.Headers["X-CivicDesk-Purpose"].ShouldBe("case-update");
        TestSmtpServer.LinkIn(mail, "/status/").ShouldBe("https://council.example/status/CD-1");
    }

    [Fact]
    public async Task With_no_smtp_in_development_each_mail_is_an_eml_file_under_the_data_directory()
    {
        var dataDir = Directory.CreateTempSubdirectory("civicdesk-mail-").FullName;
        try
        {
            var mailer = Mailer(new EmailOptions(), Environments.Development, dataDir);
            await mailer.SendAsync(new CitizenMail("bo@example.org", "Sign in", "Open https://council.example/citizen/signin/x to sign in.") { Purpose = "sign-in" });

            var file = Directory.GetFiles(Path.Combine(dataDir, "mail"), "*.eml").ShouldHaveSingleItem();
            var mail = await MimeMessage.LoadAsync(file);
            mail.To.Mailboxes.Single().Address.ShouldBe("bo@example.org");
            mail.TextBody!.ShouldContain("https://council.example/citizen/signin/x");
            mail.HtmlBody.ShouldBeNull();
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task With_no_smtp_in_production_sending_fails_loudly_and_writes_nothing()
    {
        var dataDir = Directory.CreateTempSubdirectory("civicdesk-mail-").FullName;
        try
        {
            var mailer = Mailer(new EmailOptions(), Environments.Production, dataDir);
            var error = await Should.ThrowAsync<CitizenMailException>(() => mailer.SendAsync(new CitizenMail("bo@example.org", "Hi", "Hello")));
            error.Message.ShouldContain("Email:Smtp:Host");
            Directory.Exists(Path.Combine(dataDir, "mail")).ShouldBeFalse();
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task An_unreachable_smtp_server_is_a_clear_mail_error()
    {
        int port;
        await using (var smtp = await TestSmtpServer.StartAsync())
        {
            port = smtp.Port;
        }

        var options = new EmailOptions { Smtp = new SmtpOptions { Host = "127.0.0.1", Port = port, Tls = SmtpTls.None, TimeoutSeconds = 5 } };
        var mailer = Mailer(options, Environments.Production, Path.GetTempPath());
        var error = await Should.ThrowAsync<CitizenMailException>(() => mailer.SendAsync(new CitizenMail("bo@example.org", "Hi", "Hello")));
        error.Message.ShouldContain($"127.0.0.1:{port}");
    }

    [Fact]
    public async Task Required_starttls_is_not_downgraded_to_plain_text()
    {
        // The test server offers no STARTTLS: a mailer told to require it must refuse rather than send in clear.
        await using var smtp = await TestSmtpServer.StartAsync();
        var options = new EmailOptions { Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Tls = SmtpTls.StartTls, TimeoutSeconds = 5 } };
        var mailer = Mailer(options, Environments.Production, Path.GetTempPath());
        await Should.ThrowAsync<CitizenMailException>(() => mailer.SendAsync(new CitizenMail("bo@example.org", "Hi", "Hello")));
        smtp.Received.ShouldBeEmpty();
    }

    private static CitizenMailer Mailer(EmailOptions options, string environment, string dataDir)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("CIVICDESK_DATA_DIR", dataDir)]).Build();
        var env = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environment };
        return new CitizenMailer(Options.Create(options), configuration, env, TimeProvider.System, NullLogger<CitizenMailer>.Instance);
    }
}
