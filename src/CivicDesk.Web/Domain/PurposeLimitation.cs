namespace CivicDesk.Web.Domain;

/// <summary>
/// UK GDPR Article 5(1)(b), purpose limitation. A public post CivicDesk kept only because a listening search matched it
/// (it was not addressed to the organisation) was collected to understand what people say in public: it may be
/// counted, charted and answered in public, but it must not become part of a record about its author, such as a case,
/// unless that person has contacted the organisation directly on the same channel. The rule lives here so every path
/// that links messages to cases (inbox, case page, APIs, merges of new messages) applies the same one.
/// </summary>
public static class PurposeLimitation
{
    public const string Refusal =
        "A post found by listening cannot be added to a case: its author has not contacted us directly. Reply in public instead, or wait until they write to us";

    /// <summary>Kept only because a listening search matched it (not addressed to the organisation).</summary>
    public static bool IsListeningOnly(Message message) => message.MatchedSearch is not null && message.Direction == MessageDirection.Inbound;

    /// <summary>
    /// Null when every message may be linked to a case; otherwise the reason. <paramref name="contactedDirectly"/>
    /// answers whether the author of a message has sent the organisation a direct (non-listening) message on the same
    /// channel.
    /// </summary>
    public static string? CheckCaseLink(IEnumerable<Message> messages, Func<Message, bool> contactedDirectly)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(contactedDirectly);
        return messages.Any(m => IsListeningOnly(m) && !contactedDirectly(m)) ? Refusal : null;
    }
}
