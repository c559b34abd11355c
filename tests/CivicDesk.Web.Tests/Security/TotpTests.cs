namespace CivicDesk.Web.Tests.Security;

public sealed class TotpTests
{
    [Fact]
    public void Matches_the_rfc_6238_sha1_test_vectors()
    {
        // RFC 6238 Appendix B: key "12345678901234567890", 8-digit codes; the last six digits are the 6-digit code.
        var key = System.Text.Encoding.ASCII.GetBytes("12345678901234567890");
        Totp.Code(key, DateTimeOffset.FromUnixTimeSeconds(59)).ShouldBe("287082");
        Totp.Code(key, DateTimeOffset.FromUnixTimeSeconds(1111111109)).ShouldBe("081804");
        Totp.Code(key, DateTimeOffset.FromUnixTimeSeconds(2000000000)).ShouldBe("279037");
        Totp.FromBase32("MZXW 6YTB").ShouldBe("fooba"u8.ToArray());
    }
}
