using System.Security.Cryptography;

namespace CivicDesk.Web.Platform;

/// <summary>Passwords CivicDesk makes for people (demo staff, guest curators, staff added by an operator).</summary>
public static class Passwords
{
    /// <summary>
    /// A strong password Identity's rules accept (lower-case letters and digits in four groups of five, about 100 bits),
    /// easy to read out or type from a printed line: no 0/o, 1/l/i.
    /// </summary>
    public static string Generate()
    {
        const string letters = "abcdefghjkmnpqrstuvwxyz", digits = "23456789", all = letters + digits;
        for (; ; )
        {
            var groups = Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetString(all, 5));
            var password = string.Join('-', groups);
            if (password.Any(char.IsDigit) && password.Any(char.IsLetter))
            {
                return password;
            }
        }
    }
}
