using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// Encrypts a channel's secret settings with ASP.NET Core Data Protection (keys in the data directory's key ring,
/// see PlatformFeature), under a purpose of their own so no other protected payload can be swapped in.
/// </summary>
public sealed class ConnectorSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("CivicDesk.Connectors.Secrets.v1");

    public string? Protect(IReadOnlyDictionary<string, string> secrets) =>
        secrets.Count == 0 ? null : _protector.Protect(JsonSerializer.Serialize(secrets));

    /// <summary>The secrets, or an empty set when there are none; throws when the key ring cannot read them.</summary>
    public IReadOnlyDictionary<string, string> Unprotect(string? protectedSecrets)
    {
        if (string.IsNullOrEmpty(protectedSecrets))
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(protectedSecrets))
                ?? new Dictionary<string, string>(StringComparer.Ordinal);
        }
        catch (CryptographicException e)
        {
            // The message names no secret; the key ring was lost or replaced.
            throw new InvalidOperationException("The channel's secrets cannot be decrypted with this key ring; enter them again.", e);
        }
    }
}
