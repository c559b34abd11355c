using Ganss.Xss;
using Markdig;
using Markdig.Syntax;

namespace CivicDesk.Web.Features.Newsroom;

/// <summary>
/// Markdown to safe HTML: Markdig with raw HTML disabled, headings moved down one level (the page's title is the
/// only h1), then HtmlSanitizer with http(s)/mailto links only, no style, class or id from the author; GOV.UK
/// classes are added after sanitising so the text reads like the rest of the site. Feeds get the same HTML.
/// </summary>
public static class NewsMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseEmphasisExtras().UsePipeTables().UseAutoLinks().UseListExtras().DisableHtml().Build();

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedAttributes.Remove("class");
        sanitizer.AllowedAttributes.Remove("id");
        sanitizer.AllowedCssProperties.Clear();
        sanitizer.AllowedTags.Remove("form");
        sanitizer.AllowedTags.Remove("input");
        sanitizer.AllowedTags.Remove("button");
        sanitizer.AllowedTags.Remove("textarea");
        sanitizer.AllowedTags.Remove("select");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement element)
            {
                var css = element.LocalName switch
                {
                    "p" => "govuk-body",
                    "h2" => "govuk-heading-l",
                    "h3" => "govuk-heading-m",
                    "h4" or "h5" or "h6" => "govuk-heading-s",
                    "ul" => "govuk-list govuk-list--bullet",
                    "ol" => "govuk-list govuk-list--number",
                    "a" => "govuk-link",
                    "table" => "govuk-table",
                    "blockquote" => "govuk-inset-text",
                    _ => null,
                };
                if (css is not null)
                {
                    element.SetAttribute("class", css);
                }

                if (element.LocalName == "a" && element.GetAttribute("href")?.StartsWith("http", StringComparison.OrdinalIgnoreCase) == true)
                {
                    element.SetAttribute("rel", "noopener noreferrer");
                }
            }
        };
        return sanitizer;
    }

    [ThreadStatic] private static HtmlSanitizer? _sanitizer;

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown ?? "", Pipeline);
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(heading.Level + 1, 6);
        }

        var html = document.ToHtml(Pipeline);
        return (_sanitizer ??= CreateSanitizer()).Sanitize(html);
    }
}
