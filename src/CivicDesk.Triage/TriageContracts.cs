namespace CivicDesk.Triage;

/// <summary>Classifies one message. Implementations are pure and thread-safe: one instance serves the whole pipeline.</summary>
public interface ITriageEngine
{
    /// <summary>A short version string stored with every result, so a label can be traced to the engine that gave it.</summary>
    string Version { get; }

    /// <summary>Triage one message, with the evidence behind each label.</summary>
    TriageResult Triage(TriageInput input);

    /// <summary>
    /// Labels and scores only (no evidence lists): the cheap path the ingest pipeline takes. The labels equal those of
    /// <see cref="Triage"/>; an engine without a cheaper path returns <see cref="Triage"/>'s result.
    /// </summary>
    TriageResult Label(TriageInput input) => Triage(input);
}

/// <summary>What triage needs to know about a message.</summary>
/// <param name="Text">The message text as received.</param>
/// <param name="Latitude">Geotag latitude from the payload, if any.</param>
/// <param name="Longitude">Geotag longitude from the payload, if any.</param>
public sealed record TriageInput(string Text, double? Latitude = null, double? Longitude = null);

/// <summary>Everything triage found out about one message.</summary>
/// <param name="Kind">complaint, service_request, question, compliment, rumour or other.</param>
/// <param name="Category">Service group (the FixMyStreet groups, e.g. highways_road_surface), or none.</param>
/// <param name="Sentiment">negative, neutral or positive.</param>
/// <param name="Urgency">Whether the message reports danger, and the phrase that says so.</param>
/// <param name="Place">The first place mentioned or geotagged, if any.</param>
/// <param name="EngineVersion">The engine that produced the result.</param>
/// <param name="CrisisType">Crisis information type (CrisisLexT26 classes), when a crisis model ran.</param>
/// <param name="NeedsHumanReason">
/// Set when a person should check the labels before the message is routed on them (the service group's confidence is
/// under its dev-chosen threshold); routing then ignores the category and the message waits in the "needs a human" queue.
/// </param>
public sealed record TriageResult(
    TriageLabel Kind,
    TriageLabel Category,
    TriageLabel Sentiment,
    UrgencyAssessment Urgency,
    PlaceMention? Place,
    string EngineVersion,
    TriageLabel? CrisisType = null,
    string? NeedsHumanReason = null)
{
    /// <summary>True when <see cref="NeedsHumanReason"/> is set.</summary>
    public bool NeedsHuman => NeedsHumanReason is not null;
}

/// <summary>One predicted label with its confidence and the evidence behind it.</summary>
/// <param name="Task">kind, category, sentiment or crisis_type.</param>
/// <param name="Value">The label.</param>
/// <param name="Confidence">Probability-like score in [0, 1] (calibrated probability for learned models).</param>
/// <param name="Evidence">The features that pushed towards this label, strongest first.</param>
/// <param name="Threshold">The model's low-confidence threshold chosen on dev, when a learned model gave the label.</param>
/// <param name="Source">What decided the label: "model", "keywords", "rule" or "staff".</param>
/// <param name="Reason">When a rule decided it (<see cref="ServiceRules"/>), why, in words for staff.</param>
public sealed record TriageLabel(string Task, string Value, double Confidence, IReadOnlyList<Evidence> Evidence, double? Threshold = null, string? Source = null,
    string? Reason = null)
{
    /// <summary>True when a learned model gave the label with a confidence under its threshold.</summary>
    public bool IsLowConfidence => Threshold is { } t && Confidence < t;
}

/// <summary>One contributing feature (a word or phrase) and its weight.</summary>
/// <param name="Feature">The token or phrase as found in the text.</param>
/// <param name="Weight">Its contribution; larger means stronger, negative pushed against the label.</param>
/// <param name="Kind">For learned models: word, ngram, chars, flag or dense; null for keyword evidence.</param>
public sealed record Evidence(string Feature, double Weight, string? Kind = null);

/// <summary>Urgency: danger to people or property.</summary>
/// <param name="IsUrgent">True when a safety word or pattern matched.</param>
/// <param name="Reason">Why, in words for staff (e.g. "gas leak").</param>
/// <param name="MatchedPhrase">The exact phrase in the text.</param>
public sealed record UrgencyAssessment(bool IsUrgent, string? Reason, string? MatchedPhrase);

/// <summary>A place found in the text or payload.</summary>
/// <param name="Text">As written (e.g. "GL50 1PQ", "Dog Lane").</param>
/// <param name="Kind">postcode, outward_code, street or geotag.</param>
/// <param name="Latitude">Resolved latitude, if known.</param>
/// <param name="Longitude">Resolved longitude, if known.</param>
public sealed record PlaceMention(string Text, string Kind, double? Latitude = null, double? Longitude = null);

/// <summary>The label sets triage uses.</summary>
public static class TriageLabels
{
    /// <summary>Kinds of message.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["complaint", "service_request", "question", "compliment", "rumour", "other"];

    /// <summary>Sentiments.</summary>
    public static readonly IReadOnlyList<string> Sentiments = ["negative", "neutral", "positive"];

    /// <summary>
    /// Service groups, as in the FixMyStreet dataset, then the services councils are told about but others run (given
    /// by <see cref="ServiceRules"/>, not by a model: there is no training data for them), plus none.
    /// </summary>
    public static readonly IReadOnlyList<string> Categories =
    [
        "highways_road_surface", "pavements_footways", "flytipping", "trees_vegetation", "drainage_flooding",
        "signs_markings_street_furniture", "street_lighting", "traffic_signals_crossings", "street_cleaning_litter",
        "public_rights_of_way", "graffiti_flyposting", "bins_refuse_recycling", "abandoned_vehicles",
        "parks_open_spaces", "obstructions_roadworks", "parking", "other",
        ServiceRules.Gas, ServiceRules.Water, ServiceRules.Electricity, ServiceRules.OtherService, "none",
    ];
}
