using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// A real SMTP server (SmtpServer) in-process on 127.0.0.1 at a free port. The app under test talks SMTP to it
/// through MailKit exactly as it would to a council's relay; tests read what arrived, parsed by MimeKit.
/// Use <see cref="Settings"/> for the app's configuration, and <see cref="WaitForMailAsync"/> to read a mail.
/// </summary>
public sealed partial class TestSmtpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private TestSmtpServer(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>While true, every mail is refused at the end of DATA (554), as a failing relay would.</summary>
    public bool RejectAll { get; set; }

    /// <summary>Every mail received so far, in arrival order.</summary>
    public IReadOnlyList<MimeMessage> Received => [.. _received];

    /// <summary>Starts a server on a free loopback port and waits until it accepts connections.</summary>
    public static async Task<TestSmtpServer> StartAsync()
    {
        var server = new TestSmtpServer(FreePort());
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, server.Port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new InvalidOperationException("The test SMTP server did not start.");
    }

    /// <summary>Configuration that points the app's citizen mailer at this server (plain SMTP on loopback).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Email:Smtp:Host", "127.0.0.1"),
        new("Email:Smtp:Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Email:Smtp:Tls", "None"),
        new("Email:From", "Test Council <no-reply@test-council.invalid>"),
    ];

    /// <summary>Waits until a mail to <paramref name="to"/> that matches has arrived (or returns one already here).</summary>
    public async Task<MimeMessage> WaitForMailAsync(string to, Func<MimeMessage, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var found = _received.FirstOrDefault(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, to, StringComparison.OrdinalIgnoreCase))
                                                      && (match?.Invoke(m) ?? true));
            if (found is not null)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No mail to {to} arrived; received {_received.Count} in all.");
            }

            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>All mails to one address.</summary>
    public IReadOnlyList<MimeMessage> MailsTo(string to) =>
        [.. _received.Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, to, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>The first link in the mail's plain-text body that contains <paramref name="contains"/> (e.g. a path).</summary>
    public static string LinkIn(MimeMessage mail, string contains) =>
        LinkPattern().Matches(mail.TextBody ?? "").Select(m => m.Value).FirstOrDefault(l => l.Contains(contains, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"No link containing '{contains}' in: {mail.TextBody}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; } catch (OperationCanceledException) { }
        _stop.Dispose();
        _arrived.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex LinkPattern();

    private sealed class Store(TestSmtpServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (server.RejectAll)
            {
                return SmtpResponse.TransactionFailed;
            }

            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            server._received.Enqueue(message);
            server._arrived.Release();
            return SmtpResponse.Ok;
        }
    }
}
