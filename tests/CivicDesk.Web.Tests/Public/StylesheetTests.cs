using System.Net;
using System.Text.RegularExpressions;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Public;

/// <summary>
/// The shipped stylesheets ask only for files that are shipped: no GDS Transport font (licensed for GOV.UK only,
/// and a 404 on every page when its @font-face stays in), and every url(...) they name answers 200.
/// </summary>
public sealed partial class StylesheetTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    [Theory]
    [InlineData("/lib/govuk/govuk-frontend.min.css")]
    [InlineData("/lib/moj/moj-frontend.min.css")]
    public async Task A_stylesheet_names_no_unshipped_font_and_every_file_it_references_is_served(string path)
    {
        var client = factory.CreateClient();
        var css = await client.GetStringAsync(path);

        css.ShouldNotContain("@font-face");
        css.ShouldNotContain("GDS Transport");
        css.ShouldContain("font-family:arial,sans-serif");
        var references = Url().Matches(css).Select(m => m.Groups["u"].Value).Where(u => !u.StartsWith("data:", StringComparison.Ordinal)).Distinct().ToList();
        foreach (var reference in references)
        {
            var resolved = new Uri(new Uri(client.BaseAddress!, path), reference);
            (await client.GetAsync(resolved)).StatusCode.ShouldBe(HttpStatusCode.OK, $"{path} references {reference}");
        }
    }

    [GeneratedRegex("""url\(["']?(?<u>[^"')]+)["']?\)""")]
    private static partial Regex Url();
}
