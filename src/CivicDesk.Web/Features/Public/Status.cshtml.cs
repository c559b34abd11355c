using System.Text.RegularExpressions;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace CivicDesk.Web.Features.Public;

/// <summary>Asks for a reference, checks its format and goes to its status page.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed partial class StatusModel : PageModel
{
    [BindProperty] public string? Reference { get; set; }

    public void OnGet()
    {
    }

    public IActionResult OnPost()
    {
        if (string.IsNullOrWhiteSpace(Reference))
        {
            ModelState.AddModelError(nameof(Reference), "Enter your reference number");
            return Page();
        }

        if (Canonical(Reference) is not { } reference)
        {
            ModelState.AddModelError(nameof(Reference), "Enter a reference number in the correct format, like CD-7K3F9Q");
            return Page();
        }

        return Redirect("/status/" + reference);
    }

    /// <summary>"cd 7k3f9q", "7K3F9Q" and "CD-7K3F9Q" all mean CD-7K3F9Q; anything else is not a reference.</summary>
    public static string? Canonical(string input)
    {
        var compact = Separators().Replace(input, "").ToUpperInvariant();
        compact = compact.StartsWith("CD", StringComparison.Ordinal) && compact.Length == 8 ? compact[2..] : compact;
        var reference = References.Normalise("CD-" + compact);
        return Shape().IsMatch(reference) ? reference : null;
    }

    [GeneratedRegex(@"[\s\-]+")]
    private static partial Regex Separators();

    // Crockford base32: digits and letters without I, L, O and U.
    [GeneratedRegex("^CD-[0-9A-HJKMNP-TV-Z]{6}$")]
    private static partial Regex Shape();
}
