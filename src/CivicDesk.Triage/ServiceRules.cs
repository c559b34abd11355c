namespace CivicDesk.Triage;

/// <summary>
/// A service a council is told about but does not run itself (the gas, water and electricity networks, energy bills,
/// trains), recognised by a rule rather than a model: the learned service-group model is trained on FixMyStreet
/// reports, which have no such group, so it can only guess one of its own (a gas leak came out as "flytipping, 19 %").
/// </summary>
/// <param name="Category">The category label it gives (one of <see cref="TriageLabels.Categories"/>).</param>
/// <param name="Reason">Why, in words for staff: whose job it is.</param>
/// <param name="CitizenAdvice">What the citizen should do now (who to call), shown to them when they report it; null when nothing is urgent.</param>
public sealed record ServiceRule(string Category, string Reason, string? CitizenAdvice);

/// <summary>A service rule that held for a message: the rule, the phrase that made it hold, and the category label it gives.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Phrase">The words in the message (e.g. "smell of gas").</param>
/// <param name="Label">The category label (confidence 1, source "rule", the phrase as evidence, the rule's reason).</param>
public sealed record ServiceRuleMatch(ServiceRule Rule, string Phrase, TriageLabel Label);

/// <summary>
/// The service rules, most specific first (the first that holds decides). Patterns use the safety rules' matching
/// (<see cref="UrgencyRule"/>): an anchor, optional companions within a few words, guards that make it harmless, and no
/// negator just before it. Singular forms only: plurals match too.
/// </summary>
public static class ServiceRules
{
    /// <summary>Gas escapes and gas supply: the gas network operator.</summary>
    public const string Gas = "utilities_gas";

    /// <summary>Water mains, water supply and sewers: the water company.</summary>
    public const string Water = "utilities_water";

    /// <summary>Power cuts and the electricity network: the distribution network operator.</summary>
    public const string Electricity = "utilities_electricity";

    /// <summary>Anything else that is not a council service (energy bills, broadband, post, trains).</summary>
    public const string OtherService = "other_service";

    private static readonly ServiceRule GasRule = new(Gas,
        "gas leak or gas supply: the gas network's job, not the council's (National Gas Emergency Service, 0800 111 999)",
        "If you can smell gas or think there is a gas leak, call the National Gas Emergency Service now on 0800 111 999 (free, 24 hours). " +
        "Do not use light switches or naked flames, open doors and windows, and leave the building if you can.");

    private static readonly ServiceRule ElectricityRule = new(Electricity,
        "power cut or electricity network: the local electricity network operator's job (call 105)",
        "For a power cut or damaged power lines, call 105 (free, 24 hours) to reach your local electricity network operator. " +
        "Stay well away from fallen cables, and call 999 if anyone is in danger.");

    private static readonly ServiceRule WaterRule = new(Water,
        "water main, water supply or sewer: the water company's job (its number is on the water bill)",
        "For a burst water main, a leak in the street, no water or sewage escaping, contact your water company now: " +
        "its 24-hour number is on your water bill. Call 999 if anyone is in danger.");

    private static readonly ServiceRule OtherRule = new(OtherService,
        "not a council service: the citizen needs the company that provides it", null);

    // After the rules above: static fields initialise in the order they are written.
    /// <summary>The rules with their patterns, in the order they are tried.</summary>
    internal static readonly IReadOnlyList<(ServiceRule Rule, UrgencyRule Pattern)> All =
    [
        (GasRule, Pattern("carbon monoxide, smell of gas, smelling of gas, smell gas, gas leak, gas leaking, gas escape, gas main, gas pipe, gas supply")),
        (GasRule, Near("gas", 4, "gas bill, gas station, gas supplier, gas price, gas mark, tear gas, greenhouse gas, gas and electric bill, gas cylinder",
            "leak, leaking, smell, smelling, smelt, escape, escaping, whiff, hissing, outage, off")),
        (ElectricityRule, Pattern("power cut, power outage, power failure, power is off, power went off, power has gone off, power has been off, no power, no electricity, electricity supply, electricity is off, electricity went off, electricity has gone off, power line, power cable, overhead cable, overhead line, electricity pole, electricity network",
            guards: "power line maintenance notice")),
        (WaterRule, Pattern("burst water main, burst main, water main, burst pipe, water pipe, water leak, water leaking, leaking water, no water, water supply, water pressure, water company, water board, raw sewage, sewage leak, sewage leaking, sewage overflowing, sewer overflowing, blocked sewer, sewer blocked",
            guards: "water leak in the library, water leak in the school")),
        (OtherRule, Pattern("energy bill, gas bill, electricity bill, electric bill, energy supplier, gas supplier, electricity supplier, smart meter, broadband, internet connection, phone line, mobile signal, royal mail, parcel delivery, train operator, train cancelled, train was cancelled, trains are cancelled, train delayed, train is late, train was late, rail replacement")),
    ];

    /// <summary>The rule behind a category, when a rule gives it (for the advice to show a citizen).</summary>
    /// <param name="category">A category label.</param>
    /// <returns>The rule, or null.</returns>
    public static ServiceRule? For(string? category) => All.Select(r => r.Rule).FirstOrDefault(r => r.Category == category);

    /// <summary>The first rule that holds for a text (e.g. to tell a citizen who to call), or null.</summary>
    /// <param name="text">The message text.</param>
    /// <returns>The rule with the phrase and its category label, or null.</returns>
    public static ServiceRuleMatch? Match(string text) => KeywordTriageEngine.MatchService(NormalisedText.Create(text ?? ""));

    private static string[] Words(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static UrgencyRule Pattern(string anchors, string guards = "") => new("", Words(anchors), [], 0, Words(guards));

    private static UrgencyRule Near(string anchors, int window, string guards, params string[] companions) =>
        new("", Words(anchors), [.. companions.Select(Words)], window, Words(guards));
}
