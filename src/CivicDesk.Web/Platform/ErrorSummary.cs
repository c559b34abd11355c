using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace CivicDesk.Web.Platform;

/// <summary>One line of a GOV.UK error summary: the message and the id of the field it links to.</summary>
public sealed record ErrorLink(string FieldId, string Message)
{
    /// <summary>Every model-state error, linked to its field (model keys like Input.Email become Input_Email).</summary>
    public static IReadOnlyList<ErrorLink> From(ModelStateDictionary state, string fieldForModelErrors, Func<string, string>? fieldId = null) =>
        state.SelectMany(kv => (kv.Value?.Errors ?? []).Select(e => new ErrorLink(
                kv.Key.Length == 0 ? fieldForModelErrors : (fieldId ?? DefaultId)(kv.Key), e.ErrorMessage)))
            .ToList();

    private static string DefaultId(string key) => key.Replace('.', '_');
}

/// <summary>A command's answer to a form: the new row's id, or the errors to show against their fields.</summary>
public sealed record FormOutcome(long? Id, IReadOnlyList<ErrorLink> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    public static FormOutcome Done(long id) => new(id, []);

    public static FormOutcome Fail(string fieldId, string message) => new(null, [new ErrorLink(fieldId, message)]);

    public static FormOutcome Fail(IReadOnlyList<ErrorLink> errors) => new(null, errors);
}

/// <summary>A page with a GOV.UK error summary fed by <see cref="FormOutcome"/>s, and a success notice kept across the redirect.</summary>
public abstract class FormPage : Microsoft.AspNetCore.Mvc.RazorPages.PageModel
{
    public IReadOnlyList<ErrorLink> Errors { get; protected set; } = [];

    [Microsoft.AspNetCore.Mvc.TempData] public string? Notice { get; set; }

    /// <summary>The message for the field with this id, or null.</summary>
    public string? ErrorFor(string fieldId) => Errors.FirstOrDefault(e => e.FieldId == fieldId)?.Message;
}
