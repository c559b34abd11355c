using CivicDesk.Web.Features.Templates;

namespace CivicDesk.Web.Tests.Templates;

public sealed class TemplateRendererTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static TemplateValues Values(DateTime? expectedBy = null, string? name = "Sam") =>
        new("CD-7K3F9Q", expectedBy, "https://council.example/status/CD-7K3F9Q", "Highways", name, London);

    [Fact]
    public void Render_FillsEveryVariable()
    {
        var text = TemplateRenderer.Render("Hello {{citizen_name}}, {{team}} will fix {{ reference }} by {{expected_by}}. See {{status_url}}",
            Values(new DateTime(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc)));
        text.ShouldBe("Hello Sam, Highways will fix CD-7K3F9Q by Tuesday 24 November 2026. See https://council.example/status/CD-7K3F9Q");
    }

    [Fact]
    public void Render_ExpectedBy_UsesTheOrganisationsTimeZone()
    {
        // 23:30 UTC on 30 June is 00:30 BST on 1 July.
        TemplateRenderer.Render("{{expected_by}}", Values(new DateTime(2026, 6, 30, 23, 30, 0, DateTimeKind.Utc))).ShouldBe("Wednesday 1 July 2026");
    }

    [Fact]
    public void Render_WithoutEstimateOrName_UsesSensibleWords() =>
        TemplateRenderer.Render("Hello {{citizen_name}}, we will finish {{expected_by}}.", Values(null, null))
            .ShouldBe("Hello there, we will finish as soon as we can.");

    [Fact]
    public void Problems_UnknownVariable_IsNamed()
    {
        var problems = TemplateRenderer.Problems("Your ref is {{ref}} and {{reference}}");
        problems.Count.ShouldBe(1);
        problems[0].ShouldStartWith("{{ref}} is not a variable you can use");
    }

    [Theory]
    [InlineData("Hello {{reference}")]
    [InlineData("Hello reference}}")]
    public void Problems_UnbalancedBraces_AreRefused(string body) =>
        TemplateRenderer.Problems(body).ShouldHaveSingleItem().ShouldContain("two opening and two closing braces");

    [Fact]
    public void StarterTemplates_UseOnlyKnownVariables_AndShortSentences()
    {
        foreach (var (name, body) in StarterTemplates.OrganisationWide.Concat(StarterTemplates.Highways))
        {
            TemplateRenderer.Problems(body).ShouldBeEmpty(name);
            foreach (var sentence in body.Split(['.', '?', '!'], StringSplitOptions.RemoveEmptyEntries))
            {
                sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBeLessThanOrEqualTo(25, $"{name}: {sentence}");
            }
        }
    }
}
