using System.Security.Cryptography;
using System.Text;

namespace CivicDesk.Web.Platform;

/// <summary>Per-channel ingest keys: shown once, stored only as a SHA-256 hash (high-entropy keys need no slow KDF).</summary>
public static class ApiKeys
{
    public static string Generate() => "cdk_" + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
