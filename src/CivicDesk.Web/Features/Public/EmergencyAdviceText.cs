namespace CivicDesk.Web.Features.Public;

/// <summary>
/// The organisation's emergency advice as paragraphs (one per line an admin wrote), for the pages to render each one
/// encoded: it is admin-written text shown to citizens, never markup.
/// </summary>
public static class EmergencyAdviceText
{
    public static IReadOnlyList<string> Paragraphs(string? advice) =>
        (advice ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
