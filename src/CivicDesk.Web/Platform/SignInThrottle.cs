using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Platform;

/// <summary>
/// Counts failed sign-ins and two-factor codes per client address, whichever account they name. Identity's lockout
/// protects one account; this stops one address spraying a common password across many accounts (or many unknown
/// ones), which lockout never sees. Kept in memory: an attacker gains nothing from a restart that a window does not
/// already give, and the count must not cost a database write per guess.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock, IOptionsMonitor<SecurityOptions> options)
{
    private const int MaxTracked = 100_000;
    private readonly ConcurrentDictionary<string, Window> _failures = new(StringComparer.Ordinal);

    private sealed class Window
    {
        public DateTimeOffset Start;
        public int Count;
    }

    /// <summary>True when this address has used up its failures for the current window.</summary>
    public bool IsBlocked(IPAddress? address)
    {
        var o = options.CurrentValue;
        return _failures.TryGetValue(Key(address), out var w) && clock.GetUtcNow() - w.Start < o.SignInFailureWindow && Volatile.Read(ref w.Count) >= o.SignInFailuresPerAddress;
    }

    public void RecordFailure(IPAddress? address)
    {
        var now = clock.GetUtcNow();
        var window = options.CurrentValue.SignInFailureWindow;
        if (_failures.Count >= MaxTracked)
        {
            // Bounded memory under a distributed attack: forget the expired windows first, then everything.
            foreach (var (key, w) in _failures)
            {
                if (now - w.Start >= window)
                {
                    _failures.TryRemove(key, out _);
                }
            }

            if (_failures.Count >= MaxTracked)
            {
                _failures.Clear();
            }
        }

        var entry = _failures.GetOrAdd(Key(address), _ => new Window { Start = now });
        lock (entry)
        {
            if (now - entry.Start >= window)
            {
                entry.Start = now;
                entry.Count = 0;
            }

            entry.Count++;
        }
    }

    /// <summary>IPv6 clients are counted per /64, the block one subscriber normally holds.</summary>
    private static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }
}
