using CivicDesk.Triage;

namespace CivicDesk.Web.Features.Inbox;

/// <summary>One inbound message's triage for the _TriageLabels partial: the engine's labels with their explanations, the labels now stored (staff may have changed them) and the correction form.</summary>
public sealed record TriageLabelsView(long ConversationId, MessageView Message, bool CanWork)
{
    public TriageResult? Triage => Message.Triage;

    /// <summary>Rows in display order: task key, heading, engine label (null when the engine gave none), label now stored.</summary>
    public IEnumerable<(string Key, string Heading, TriageLabel? Engine, string? Current)> Rows()
    {
        yield return ("kind", "Type", Triage?.Kind, Message.Kind);
        yield return ("category", "Category", Triage?.Category, Message.Category);
        yield return ("sentiment", "Sentiment", Triage?.Sentiment, Message.Sentiment);
        if (Triage?.CrisisType is { } crisis)
        {
            yield return ("crisis_type", "Crisis information type", crisis, crisis.Value);
        }
    }

    public static string Source(TriageLabel label) => label.Source switch
    {
        "model" => "learned model",
        "model+keywords" => "learned model and keywords",
        "keywords" or null => "keywords",
        "rule" => "rule: a service a council is told about but others run",
        var s => s,
    };

    public static string FeatureKind(string? kind) => kind switch
    {
        "word" => "word",
        "ngram" => "word pair",
        "chars" => "letters",
        "flag" => "flag",
        "dense" => "length or punctuation",
        null => "keyword",
        var k => k,
    };
}
