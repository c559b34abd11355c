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
