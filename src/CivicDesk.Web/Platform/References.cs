using System.Security.Cryptography;

namespace CivicDesk.Web.Platform;

/// <summary>Public references citizens read aloud on the phone: Crockford base32 (no I, L, O, U), e.g. CD-7K3F9Q.</summary>
public static class References
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string NewConversationReference() => "CD-" + Random(6);

    /// <summary>Cases: CS-7K3F9Q (a different prefix so staff and citizens can tell a case from a conversation).</summary>
    public static string NewCaseReference() => "CS-" + Random(6);

    /// <summary>Data subjects' requests: SAR-7K3F9Q, quoted in letters and emails.</summary>
    public static string NewSubjectRequestReference() => "SAR-" + Random(6);

    private static string Random(int length) =>
        string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });

    /// <summary>Upper-cases and maps look-alike letters so "cd-7k3f9o" finds CD-7K3F90.</summary>
    public static string Normalise(string reference) =>
        reference.Trim().ToUpperInvariant().Replace('O', '0').Replace('I', '1').Replace('L', '1');
}
