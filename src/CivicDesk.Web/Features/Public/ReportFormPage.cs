using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Public;

/// <summary>
/// What the report form page and its POST target share: the input, the map settings and the GOV.UK error list.
/// Two pages because rate-limit policies attach to page endpoints, not handlers: viewing the form is a page view,
/// sending it is a submission with its own, stricter limit.
/// </summary>
public abstract class ReportFormPage(IOptions<PublicOptions> options) : PageModel
{
    public const string PhotosKey = "Photos";

    /// <summary>Form fields in page order, with the element id each error links to.</summary>
    private static readonly (string Key, string FieldId)[] Fields =
    [
        ("Input.Description", "description"),
        ("Input.Category", "category"),
        ("Input.Postcode", "postcode"),
        // A bad map pin points the citizen at the postcode: the accessible alternative, present with or without JavaScript.
        ("Input.Latitude", "postcode"),
        (PhotosKey, "photos"),
        ("Input.Name", "name"),
        ("Input.Email", "email"),
    ];

    [BindProperty] public ReportInput Input { get; set; } = new();

    public PublicOptions Map => options.Value;

    /// <summary>Every error, in the order the fields appear, for the error summary.</summary>
    public IReadOnlyList<(string FieldId, string Message)> Errors =>
        Fields.SelectMany(f => ModelState[f.Key]?.Errors.Select(e => (f.FieldId, e.ErrorMessage)) ?? [])
            .Concat(ModelState.Where(kv => Fields.All(f => f.Key != kv.Key)).SelectMany(kv => kv.Value?.Errors.Select(e => ("description", e.ErrorMessage)) ?? []))
            .ToList();

    /// <summary>The first error for a field, for the inline message.</summary>
    public string? ErrorFor(string key) => ModelState[key]?.Errors.FirstOrDefault()?.ErrorMessage;
}
