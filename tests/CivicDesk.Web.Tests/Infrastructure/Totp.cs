using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CivicDesk.Web.Tests.Security;

/// <summary>RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits), written from the RFC so the test does not trust the code under test.</summary>
internal static class Totp
{
    public static string Code(byte[] key, DateTimeOffset at, int stepOffset = 0)
    {
        var counter = (at.ToUnixTimeSeconds() / 30) + stepOffset;
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
#pragma warning disable CA5350 // RFC 6238 as authenticator apps implement it is HMAC-SHA1; this is the verifier's counterpart.
        var hash = HMACSHA1.HashData(key, message);
#pragma warning restore CA5350
        // RFC 4226 §5.3 dynamic truncation.
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 base32, as authenticator apps read the shared key (spaces and case ignored).</summary>
    public static byte[] FromBase32(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = text.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>(clean.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException($"'{c}' is not base32");
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. bytes];
    }
}
