namespace CivicDesk.Triage;

/// <summary>
/// One safety rule: an anchor word or phrase, optionally with companions that must appear within
/// <see cref="Window"/> words of it (e.g. "gas" near "smell"). Guards are phrases that make an anchor harmless
/// ("fire station", "gas bill"); an anchor inside a guard, or just after a negator ("no danger", "nobody injured"),
/// does not count.
/// </summary>
internal sealed record UrgencyRule(string Reason, string[] Anchors, string[][] Companions, int Window, string[] Guards);

/// <summary>Safety rules, most serious first: the first that holds explains the message's urgency.</summary>
internal static class UrgencyRules
{
    private static string[] Words(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static UrgencyRule Rule(string reason, string anchors, string guards = "") => new(reason, Words(anchors), [], 0, Words(guards));

    private static UrgencyRule Near(string reason, string anchors, int window, string guards, params string[] companions) =>
        new(reason, Words(anchors), [.. companions.Select(Words)], window, Words(guards));

    public static readonly IReadOnlyList<UrgencyRule> All =
    [
        Rule("risk to life: suicide or self-harm", "suicide, suicidal, kill myself, end my life, take my own life, self harm, harm myself"),
        Rule("threat of violence", "threatened, threatening, threat, going to kill, kill you, will kill, knife, gun, weapon, bomb, stabbed, assaulted, attacked",
            guards: "glue gun, nail gun, staple gun, gritting gun, bomb proof, photo bomb"),
        Near("gas leak", "gas", 4, "gas bill, gas meter reading, gas station, gas supplier, gas price",
            "leak, leaking, smell, smelling, smelt, escape, escaping, whiff, hissing"),
        Rule("gas leak", "carbon monoxide, smell of gas, smelling of gas, smell gas"),
        Rule("fire", "fire, on fire, ablaze, blaze, caught fire, set fire, set alight, smoke pouring, thick smoke, smoke coming, explosion",
            guards: "fire station, fire exit, fire door, fire drill, fire alarm test, fire safety, fire hydrant, fire extinguisher, fire risk, fire hazard, fire escape, fire pit, fire wood, under fire, fire away"),
        Near("flooding into homes", "flood, flooding, flooded, water coming in, water pouring, water coming into", 6, "flood risk, flood warning, flood defence, flood alleviation",
            "house, home, property, properties, kitchen, living room, bedroom, front door, flat, indoors, inside, garage, basement, cellar"),
        Near("child at risk", "child, children, kid, baby, toddler, little boy, little girl", 5, "",
            "at risk, in danger, alone, abandoned, hurt, injured, missing, abuse, abused, neglected, locked in, unattended"),
        Rule("child at risk", "safeguarding, child abuse, child neglect"),
        Near("exposed electric cables", "wire, wiring, cable, electricity, electric", 3, "cable tie, wire fence, barbed wire, wire mesh",
            "exposed, bare, live, hanging, dangling, sparking, loose, down, open"),
        Rule("exposed electric cables", "electric shock, sparking, sparks, electrocuted, live wire"),
        Rule("someone injured", "injured, injury, injuries, bleeding, unconscious, ambulance, paramedic, broken ankle, broken wrist, broken leg, broken arm, broke her, broke his, broke my, hit by a car, knocked down by, seriously hurt, badly hurt, got hurt"),
        Rule("road accident", "car crash, crashed into, collision, been an accident, serious accident, rta"),
        Rule("collapse", "collapsed, collapsing, caved in, cave in, sinkhole, sink hole, about to collapse, structurally unsafe, wall falling"),
        Near("fallen tree blocking the road", "tree, branch", 6, "",
            "fallen, fell, down, uprooted, blown over, come down, came down", "blocking, blocked, across, obstructing"),
        Rule("hazardous material", "asbestos, syringe, hypodermic, used needles, drug needles"),
        Rule("danger to people", "danger, dangerous, unsafe, death trap, deadly, lethal, life threatening, will be killed, get killed, killed",
            guards: "danger money"),
    ];
}
