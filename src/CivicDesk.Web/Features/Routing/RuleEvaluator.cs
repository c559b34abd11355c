using System.Text.RegularExpressions;
using CivicDesk.Triage;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Routing;

/// <summary>
/// A routing rule ready to evaluate: keywords split and tokenised the way triage reads text, the pattern compiled
/// once with its timeout. Immutable, so a cached rule book can be shared by every ingest worker.
/// </summary>
public sealed class CompiledRule
{
    /// <summary>A pattern that runs longer than this on one message counts as not matching (and is logged).</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(50);

    private CompiledRule(RoutingRule rule)
    {
        Id = rule.Id;
        Position = rule.Position;
        Name = rule.Name;
        IsEnabled = rule.IsEnabled;
        TeamId = rule.TeamId;
        SetPriority = rule.SetPriority;
        Keywords = RoutingKeywords.Split(rule.Keywords);
        KeywordWords = [.. Keywords.Select(k => (k, RoutingKeywords.Words(k))).Where(k => k.Item2.Length > 0)];
        Pattern = string.IsNullOrWhiteSpace(rule.Pattern) ? null : rule.Pattern;
        if (Pattern is not null)
        {
            RoutingPatterns.TryCompile(Pattern, out var regex, out var error);
            (PatternRegex, PatternError) = (regex, error);
        }

        Kind = Blank(rule.Kind);
        Category = Blank(rule.Category);
        Sentiment = Blank(rule.Sentiment);
        ChannelKind = rule.ChannelKind;
        PlaceContains = Blank(rule.PlaceContains);
        UrgentOnly = rule.UrgentOnly;
    }

    public long Id { get; }
    public int Position { get; }
    public string Name { get; }
    public bool IsEnabled { get; }
    public long TeamId { get; }
    public Priority? SetPriority { get; }
    public IReadOnlyList<string> Keywords { get; }
    /// <summary>Each keyword with its words, normalised like message text.</summary>
    internal (string Keyword, string[] Words)[] KeywordWords { get; }
    public string? Pattern { get; }
    internal Regex? PatternRegex { get; }
    /// <summary>Why a stored pattern could not be compiled (saved before validation, or edited in the database); such a rule never matches.</summary>
    public string? PatternError { get; }
    public string? Kind { get; }
    public string? Category { get; }
    public string? Sentiment { get; }
    public ChannelKind? ChannelKind { get; }
    public string? PlaceContains { get; }
    public bool UrgentOnly { get; }

    /// <summary>A rule with no condition would claim every message; saving one is refused.</summary>
    public bool HasConditions =>
        Keywords.Count > 0 || Pattern is not null || Kind is not null || Category is not null || Sentiment is not null
        || ChannelKind is not null || PlaceContains is not null || UrgentOnly;

    public static CompiledRule From(RoutingRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new CompiledRule(rule);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>One condition of one rule, checked against one message.</summary>
/// <param name="Condition">The condition in words ("category = flytipping", "keyword \"pothole\"").</param>
/// <param name="Holds">Whether the message meets it.</param>
/// <param name="WhyNot">When it does not, why ("category is street_lighting, not flytipping").</param>
public sealed record ConditionCheck(string Condition, bool Holds, string? WhyNot);

/// <summary>A rule checked against a message: whether it matched, and each condition's outcome.</summary>
public sealed record RuleCheck(CompiledRule Rule, bool Matched, IReadOnlyList<ConditionCheck> Conditions)
{
    /// <summary>The conditions that hold, joined: the "why" of a match.</summary>
    public string Because => string.Join(" and ", Conditions.Where(c => c.Holds).Select(c => c.Condition));
}

/// <summary>
/// Pure rule evaluation: the first enabled rule whose every set condition holds, rules taken in the order given. Cheap conditions
/// are checked first and the pattern last, so most rules are ruled out without touching a regular expression.
/// </summary>
public static class RuleEvaluator
{
    /// <summary>The first matching rule, with the conditions that made it match, or null.</summary>
    /// <param name="rules">Rules in position order (as <see cref="RuleBook.Rules"/> holds them); disabled ones are skipped.</param>
    /// <param name="input">The message and its triage labels.</param>
    /// <param name="patternTimedOut">Told about each rule whose pattern ran out of time (that rule does not match).</param>
    public static RuleCheck? FirstMatch(IEnumerable<CompiledRule> rules, RoutingInput input, Action<CompiledRule>? patternTimedOut = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(input);
        var words = new MessageWords(input.Text);
        foreach (var rule in rules)
        {
            if (!rule.IsEnabled)
            {
                continue;
            }

            var check = Check(rule, input, words, explain: false, patternTimedOut);
            if (check.Matched)
            {
                return check;
            }
        }

        return null;
    }

    /// <summary>Every rule, in the order given, with each of its conditions explained: for staff trying out text.</summary>
    public static IReadOnlyList<RuleCheck> CheckAll(IEnumerable<CompiledRule> rules, RoutingInput input)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(input);
        var words = new MessageWords(input.Text);
        return [.. rules.Select(r => Check(r, input, words, explain: true, null))];
    }

    /// <summary>
    /// Checks one rule. Without <paramref name="explain"/> it stops at the first failing condition and only the
    /// holding conditions are listed (enough for a reason); with it, every condition is checked and described.
    /// </summary>
    private static RuleCheck Check(CompiledRule rule, RoutingInput input, MessageWords words, bool explain, Action<CompiledRule>? patternTimedOut)
    {
        var conditions = new List<ConditionCheck>(4);
        var matched = rule.IsEnabled && rule.HasConditions;
        if (!rule.HasConditions && explain)
        {
            conditions.Add(new ConditionCheck("no conditions", false, "a rule with no conditions never matches"));
        }

        bool Add(string condition, bool holds, Func<string> whyNot)
        {
            conditions.Add(new ConditionCheck(condition, holds, holds ? null : whyNot()));
            matched &= holds;
            return matched || explain;
        }

        var go = matched || explain;
        if (go && rule.ChannelKind is { } channel)
        {
            go = Add($"channel = {channel}", input.ChannelKind == channel, () => $"channel is {input.ChannelKind}, not {channel}");
        }

        if (go && rule.Kind is { } kind)
        {
            go = Add($"kind = {kind}", Same(input.Kind, kind), () => $"kind is {input.Kind ?? "unknown"}, not {kind}");
        }

        if (go && rule.Category is { } category)
        {
            go = Add($"category = {category}", Same(input.Category, category), () => $"category is {input.Category ?? "unknown"}, not {category}");
        }

        if (go && rule.Sentiment is { } sentiment)
        {
            go = Add($"sentiment = {sentiment}", Same(input.Sentiment, sentiment), () => $"sentiment is {input.Sentiment ?? "unknown"}, not {sentiment}");
        }

        if (go && rule.UrgentOnly)
        {
            go = Add("urgent", input.IsUrgent, () => "not urgent");
        }

        if (go && rule.PlaceContains is { } place)
        {
            go = Add($"place contains \"{place}\"", input.Place?.Contains(place, StringComparison.OrdinalIgnoreCase) == true,
                () => input.Place is null ? "no place found" : $"place \"{input.Place}\" does not contain \"{place}\"");
        }

        if (go && rule.Keywords.Count > 0)
        {
            var found = FindKeyword(rule, words);
            go = Add(found is null ? "keyword" : $"keyword \"{found}\"", found is not null,
                () => "none of the keywords found: " + string.Join(", ", rule.Keywords.Select(k => $"\"{k}\"")));
        }

        if (go && rule.Pattern is { } pattern)
        {
            var (holds, whyNot) = MatchPattern(rule, input.Text, patternTimedOut);
            Add($"pattern \"{pattern}\"", holds, () => whyNot!);
        }

        return new RuleCheck(rule, matched, conditions);
    }

    /// <summary>A rule's conditions in words, for the rules table ("keyword \"pothole\" or \"tarmac\"", "channel = Twitter").</summary>
    public static IReadOnlyList<string> Describe(CompiledRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var words = new List<string>();
        if (rule.Keywords.Count > 0)
        {
            words.Add((rule.Keywords.Count == 1 ? "keyword " : "keywords ") + string.Join(" or ", rule.Keywords.Select(k => $"\"{k}\"")));
        }

        if (rule.Pattern is { } pattern)
        {
            words.Add($"pattern \"{pattern}\"");
        }

        if (rule.Kind is { } kind)
        {
            words.Add($"kind = {kind}");
        }

        if (rule.Category is { } category)
        {
            words.Add($"category = {category}");
        }

        if (rule.Sentiment is { } sentiment)
        {
            words.Add($"sentiment = {sentiment}");
        }

        if (rule.ChannelKind is { } channel)
        {
            words.Add($"channel = {channel}");
        }

        if (rule.PlaceContains is { } place)
        {
            words.Add($"place contains \"{place}\"");
        }

        if (rule.UrgentOnly)
        {
            words.Add("urgent");
        }

        return words;
    }

    private static bool Same(string? actual, string expected) => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase);

    private static (bool Holds, string? WhyNot) MatchPattern(CompiledRule rule, string text, Action<CompiledRule>? patternTimedOut)
    {
        if (rule.PatternRegex is not { } regex)
        {
            return (false, $"pattern is not valid: {rule.PatternError}");
        }

        try
        {
            return regex.IsMatch(text) ? (true, null) : (false, "pattern did not match");
        }
        catch (RegexMatchTimeoutException)
        {
            patternTimedOut?.Invoke(rule);
            return (false, $"pattern took longer than {CompiledRule.PatternTimeout.TotalMilliseconds:0} ms, so it counts as no match");
        }
    }

    /// <summary>The first keyword (as the rule lists it) whose words appear in a row in the message, or null.</summary>
    private static string? FindKeyword(CompiledRule rule, MessageWords words)
    {
        var text = words.Text;
        foreach (var (keyword, kw) in rule.KeywordWords)
        {
            for (var i = 0; i + kw.Length <= text.Count; i++)
            {
                var all = true;
                for (var k = 0; k < kw.Length && all; k++)
                {
                    all = text.Word(i + k).SequenceEqual(kw[k]);
                }

                if (all)
                {
                    return keyword;
                }
            }
        }

        return null;
    }

    /// <summary>The message's words, computed on first use: many rule books have no keyword rules at all.</summary>
    private sealed class MessageWords(string text)
    {
        private NormalisedText? _text;

        public NormalisedText Text => _text ??= NormalisedText.Create(text);
    }
}

/// <summary>Keywords are comma-separated words or phrases, matched as whole words, case-insensitively.</summary>
public static class RoutingKeywords
{
    public static IReadOnlyList<string> Split(string? keywords) =>
        string.IsNullOrWhiteSpace(keywords) ? [] : keywords.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A keyword's words, normalised like message text ("Fly-Tip" → fly, tip).</summary>
    public static string[] Words(string keyword)
    {
        var text = NormalisedText.Create(keyword);
        return [.. Enumerable.Range(0, text.Count).Select(i => text.Word(i).ToString())];
    }
}

/// <summary>Rule patterns: .NET regular expressions, case-insensitive, each match bounded by <see cref="CompiledRule.PatternTimeout"/>.</summary>
public static class RoutingPatterns
{
    // Interpreted, not RegexOptions.Compiled: patterns are few and short, and compiling per rule book costs more than it saves.
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    public static Regex Compile(string pattern) => new(pattern, Options, CompiledRule.PatternTimeout);

    public static bool TryCompile(string pattern, out Regex? regex, out string? error)
    {
        try
        {
            regex = Compile(pattern);
            error = null;
            return true;
        }
        catch (ArgumentException e)
        {
            regex = null;
            error = e.Message;
            return false;
        }
    }
}
