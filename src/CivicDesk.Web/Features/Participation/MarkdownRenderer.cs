using Ganss.Xss;
using Markdig;

namespace CivicDesk.Web.Features.Participation;

/// <summary>
/// Staff-written Markdown (challenge background, responses) to safe HTML: Markdig renders, HtmlSanitizer removes
/// anything that could run script or load from elsewhere. Raw HTML in the Markdown is not rendered at all.
/// </summary>
public sealed class MarkdownRenderer
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder().DisableHtml().UseAutoLinks().UsePipeTables().Build();
    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    public string ToSafeHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return "";
        }

        var html = Markdown.ToHtml(markdown, _pipeline);
        lock (_sanitizer)
        {
            return _sanitizer.Sanitize(html);
        }
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedTags.Remove("img");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedAttributes.Remove("class");
        // GOV.UK classes for the elements Markdown produces, added after sanitising.
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement el)
            {
                var cls = el.LocalName switch
                {
                    "p" => "govuk-body",
                    "h1" => "govuk-heading-l",
                    "h2" => "govuk-heading-m",
                    "h3" or "h4" or "h5" or "h6" => "govuk-heading-s",
                    "ul" => "govuk-list govuk-list--bullet",
                    "ol" => "govuk-list govuk-list--number",
                    "a" => "govuk-link",
                    "table" => "govuk-table",
                    _ => null,
                };
                if (cls is not null)
                {
                    el.SetAttribute("class", cls);
                }

                if (el.LocalName == "a")
                {
                    el.SetAttribute("rel", "nofollow noopener");
                }
            }
        };
        return sanitizer;
    }
}
