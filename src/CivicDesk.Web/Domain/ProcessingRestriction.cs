namespace CivicDesk.Web.Domain;

/// <summary>
/// UK GDPR Article 18, restriction of processing. While a restriction request covers a person, their conversations and
/// cases (<c>RestrictedBy</c> set to the request's reference) are stored and nothing more: no replies, not attached to
/// a case, not re-triaged, left out of exports, the public map and Open311. Staff see a banner saying why. The rule is
/// here so every path that uses the data asks the same question; lifting the restriction clears the mark.
/// </summary>
public static class ProcessingRestriction
{
    public static string Refusal(string reference) =>
        $"Processing of this person's data is restricted ({reference}): it is stored only. It cannot be replied to, added to a case or exported until the restriction is lifted";

    public static bool IsRestricted(Conversation conversation) => conversation.RestrictedBy is not null;

    public static bool IsRestricted(Case c) => c.RestrictedBy is not null;
}
