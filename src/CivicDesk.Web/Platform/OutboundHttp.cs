using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Platform;

/// <summary>
/// Where CivicDesk may send requests on an administrator's say-so (connector, feed and webhook URLs), section
/// <c>OutboundHttp</c>. The defaults allow only https to public internet addresses.
/// </summary>
public sealed class OutboundHttpOptions
{
    public const string Section = "OutboundHttp";

    /// <summary>Allow plain http:// (tests and fake servers; never in production: credentials and citizen text travel).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// TEST ONLY: allow loopback addresses (127.0.0.0/8, ::1), where the tests' fake networks listen. Link-local,
    /// private and the rest stay refused.
    /// </summary>
    public bool AllowLoopback { get; set; }

    /// <summary>
    /// Allow private (RFC 1918), CGNAT and unique-local addresses: for a self-hosted Mastodon or receiver on the
    /// organisation's own network. Link-local (cloud metadata at 169.254.169.254) is never allowed.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Redirects followed per request, to the same host only.</summary>
    public int MaxRedirects { get; set; } = 5;
}

/// <summary>An outbound request refused by policy (bad scheme, forbidden address, redirect to another host).</summary>
public sealed class OutboundRefusedException(string message) : HttpRequestException(message);

/// <summary>Resolves host names for the guard; a class (not static) so tests can answer "internal.example → 10.0.0.1".</summary>
public class OutboundDns
{
    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>
/// Server-side request forgery guard. The address is checked after DNS resolution, in the socket's connect callback,
/// so a name that resolves to 10.0.0.1 (or is re-pointed there after a check, DNS rebinding) is refused at the moment
/// of connecting; the connection goes to exactly the address that was checked.
/// </summary>
public sealed class OutboundHttpGuard(IOptionsMonitor<OutboundHttpOptions> options, OutboundDns dns)
{
    /// <summary>Why this address may not be contacted, or null when it may.</summary>
    public string? Refusal(IPAddress address)
    {
        var o = options.CurrentValue;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var kind = Classify(address);
        return kind switch
        {
            AddressKind.Public => null,
            AddressKind.Loopback when o.AllowLoopback => null,
            AddressKind.Private when o.AllowPrivateNetworks => null,
            _ => $"{address} is a {Describe(kind)} address, which CivicDesk does not contact",
        };
    }

    /// <summary>Scheme and credentials check for a URL an administrator enters (the address is checked on connect).</summary>
    public string? UrlProblem(Uri uri)
    {
        if (uri.Scheme is not ("https" or "wss") && !(options.CurrentValue.AllowHttp && uri.Scheme is "http" or "ws"))
        {
            return "The URL must start with https://";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "The URL must not contain a user name or password";
        }

        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) ? Refusal(literal) : null;
    }

    /// <summary>The primary handler for every outbound client that takes administrator-entered URLs.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        // Redirects are followed by OutboundRedirectHandler (same host only), never by the socket handler.
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await dns.ResolveAsync(host, ct);
        if (addresses.Length == 0)
        {
            throw new OutboundRefusedException($"{host} did not resolve to any address");
        }

        // Any forbidden answer refuses the host: a name that mixes a public and a private address is an attack or a
        // misconfiguration, and trying the next address would make the outcome depend on order.
        foreach (var address in addresses)
        {
            if (Refusal(address) is { } why)
            {
                throw new OutboundRefusedException($"Refused to connect to {host}: {why}");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private enum AddressKind { Public, Loopback, Private, LinkLocal, Other }

    private static string Describe(AddressKind kind) => kind switch
    {
        AddressKind.Loopback => "loopback",
        AddressKind.Private => "private-network",
        AddressKind.LinkLocal => "link-local",
        _ => "reserved",
    };

    private static AddressKind Classify(IPAddress a)
    {
        if (IPAddress.IsLoopback(a))
        {
            return AddressKind.Loopback;
        }

        var b = a.GetAddressBytes();
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            return b[0] switch
            {
                10 => AddressKind.Private,
                172 when b[1] is >= 16 and <= 31 => AddressKind.Private,
                192 when b[1] == 168 => AddressKind.Private,
                100 when b[1] is >= 64 and <= 127 => AddressKind.Private,      // RFC 6598 carrier-grade NAT
                169 when b[1] == 254 => AddressKind.LinkLocal,                  // includes cloud metadata services
                0 or >= 224 => AddressKind.Other,                               // "this network", multicast, reserved, broadcast
                192 when b[1] == 0 && b[2] == 0 => AddressKind.Other,           // IETF protocol assignments
                198 when b[1] is 18 or 19 => AddressKind.Other,                 // benchmarking
                _ => AddressKind.Public,
            };
        }

        if (a.Equals(IPAddress.IPv6Any) || a.IsIPv6Multicast)
        {
            return AddressKind.Other;
        }

        if (a.IsIPv6LinkLocal || a.IsIPv6SiteLocal)
        {
            return AddressKind.LinkLocal;
        }

        if ((b[0] & 0xfe) == 0xfc)
        {
            return AddressKind.Private;                                         // fc00::/7 unique local
        }

        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address that could be a private one.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            return Classify(new IPAddress(b.AsSpan(12, 4)));
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return Classify(new IPAddress(b.AsSpan(2, 4)));
        }

        return AddressKind.Public;
    }
}

/// <summary>
/// Enforces the scheme on every request and follows redirects only to the same host (and never from https down to
/// http): a feed or API that redirects elsewhere could otherwise carry CivicDesk's request, and its credentials
/// headers, to a host nobody approved.
/// </summary>
public sealed class OutboundRedirectHandler(OutboundHttpGuard guard, IOptionsMonitor<OutboundHttpOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var redirects = 0; ; redirects++)
        {
            var uri = request.RequestUri ?? throw new OutboundRefusedException("Refused a request without a URL");
            if (guard.UrlProblem(uri) is { } problem)
            {
                throw new OutboundRefusedException($"Refused {uri.GetLeftPart(UriPartial.Path)}: {problem}");
            }

            var response = await base.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location || request.Method != HttpMethod.Get)
            {
                return response;
            }

            var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (!string.Equals(next.Host, uri.Host, StringComparison.OrdinalIgnoreCase) || (uri.Scheme == "https" && next.Scheme != "https"))
            {
                response.Dispose();
                throw new OutboundRefusedException($"Refused a redirect from {uri.Host} to {next.Host}: CivicDesk follows redirects only within the same host over https");
            }

            if (redirects >= options.CurrentValue.MaxRedirects)
            {
                response.Dispose();
                throw new OutboundRefusedException($"Too many redirects from {uri}");
            }

            response.Dispose();
            var again = new HttpRequestMessage(HttpMethod.Get, next) { Version = request.Version, VersionPolicy = request.VersionPolicy };
            foreach (var (name, values) in request.Headers)
            {
                again.Headers.TryAddWithoutValidation(name, values);
            }

            request = again;
        }
    }
}

public static class OutboundHttpFeature
{
    public static IServiceCollection AddOutboundHttpGuard(this IServiceCollection services)
    {
        services.AddOptions<OutboundHttpOptions>().BindConfiguration(OutboundHttpOptions.Section);
        services.AddSingleton<OutboundDns>();
        services.AddSingleton<OutboundHttpGuard>();
        services.AddTransient<OutboundRedirectHandler>();
        return services;
    }

    /// <summary>Puts a named client behind the guard: checked addresses on connect, scheme per request, same-host redirects.</summary>
    public static IHttpClientBuilder AddOutboundGuard(this IHttpClientBuilder client) => client
        .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<OutboundHttpGuard>().CreateHandler())
        .AddHttpMessageHandler<OutboundRedirectHandler>();
}
