using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Security;

/// <summary>The app with Security:KeyEncryptionCertificatePath set to a freshly made certificate.</summary>
public sealed class EncryptedKeysFactory : CivicDeskFactory
{
    public EncryptedKeysFactory()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=CivicDesk key encryption (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CertificatePath = Path.Combine(DataDirectory, "key-encryption.pfx");
        File.WriteAllBytes(CertificatePath, certificate.Export(X509ContentType.Pkcs12, "test-password"));
    }

    public string CertificatePath { get; }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Security:KeyEncryptionCertificatePath", CertificatePath), new("Security:KeyEncryptionCertificatePassword", "test-password")];
}

public sealed class DataProtectionKeyTests : IClassFixture<EncryptedKeysFactory>
{
    private readonly EncryptedKeysFactory _factory;

    public DataProtectionKeyTests(EncryptedKeysFactory factory) => _factory = factory;

    [Fact]
    public void With_a_certificate_configured_the_key_ring_is_encrypted_at_rest_and_still_works()
    {
        var protector = _factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        var secret = protector.Protect("connector token");
        protector.Unprotect(secret).ShouldBe("connector token");

        var files = Directory.GetFiles(Path.Combine(_factory.DataDirectory, "keys"), "key-*.xml");
        files.ShouldNotBeEmpty();
        foreach (var file in files)
        {
            var xml = File.ReadAllText(file);
            xml.ShouldContain("EncryptedData");
            xml.ShouldNotContain("unencrypted form");
        }
    }
}
