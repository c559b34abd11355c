using System.ComponentModel.DataAnnotations;
using CivicDesk.Triage;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Routing;

/// <summary>The add/edit rule form. Attributes check lengths; <see cref="Problems"/> checks what needs the organisation's teams or a regex parser.</summary>
public sealed class RoutingRuleInput
{
    [Required(ErrorMessage = "Enter a name for the rule")]
    [StringLength(120, ErrorMessage = "Name must be 120 characters or fewer")]
    public string Name { get; set; } = "";

    public long? TeamId { get; set; }

    [StringLength(2000, ErrorMessage = "Keywords must be 2,000 characters or fewer")]
    public string? Keywords { get; set; }

    [StringLength(1000, ErrorMessage = "Pattern must be 1,000 characters or fewer")]
    public string? Pattern { get; set; }

    public string? Kind { get; set; }
    public string? Category { get; set; }
    public string? Sentiment { get; set; }
    public ChannelKind? ChannelKind { get; set; }

    [StringLength(200, ErrorMessage = "Place must be 200 characters or fewer")]
    public string? PlaceContains { get; set; }

    public bool UrgentOnly { get; set; }
    public Priority? SetPriority { get; set; }
    public bool IsEnabled { get; set; } = true;

    public static RoutingRuleInput From(RoutingRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new RoutingRuleInput
        {
            Name = rule.Name, TeamId = rule.TeamId, Keywords = rule.Keywords, Pattern = rule.Pattern, Kind = rule.Kind,
            Category = rule.Category, Sentiment = rule.Sentiment, ChannelKind = rule.ChannelKind, PlaceContains = rule.PlaceContains,
            UrgentOnly = rule.UrgentOnly, SetPriority = rule.SetPriority, IsEnabled = rule.IsEnabled,
        };
    }

    /// <summary>Copies the form onto the rule, tidied: trimmed, blanks as null, keywords as "a, b".</summary>
    public void ApplyTo(RoutingRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        rule.Name = Name.Trim();
        rule.TeamId = TeamId ?? throw new InvalidOperationException("Validate the form before applying it.");
        rule.Keywords = RoutingKeywords.Split(Keywords) is { Count: > 0 } keywords ? string.Join(", ", keywords) : null;
        rule.Pattern = Tidy(Pattern);
        rule.Kind = Tidy(Kind);
        rule.Category = Tidy(Category);
        rule.Sentiment = Tidy(Sentiment);
        rule.ChannelKind = ChannelKind;
        rule.PlaceContains = Tidy(PlaceContains);
        rule.UrgentOnly = UrgentOnly;
        rule.SetPriority = SetPriority;
        rule.IsEnabled = IsEnabled;
    }

    /// <summary>Problems the attributes cannot see, as (field, message): unknown team or label, invalid pattern, no condition.</summary>
    public IEnumerable<(string Field, string Message)> Problems(IReadOnlyCollection<long> teamIds)
    {
        ArgumentNullException.ThrowIfNull(teamIds);
        if (TeamId is not { } team)
        {
            yield return (nameof(TeamId), "Choose the team this rule sends messages to");
        }
        else if (!teamIds.Contains(team))
        {
            yield return (nameof(TeamId), "Choose a team from the list");
        }

        foreach (var keyword in RoutingKeywords.Split(Keywords).Where(k => RoutingKeywords.Words(k).Length == 0))
        {
            yield return (nameof(Keywords), $"Keyword \"{keyword}\" has no letters or numbers to match");
        }

        if (Tidy(Pattern) is { } pattern && !RoutingPatterns.TryCompile(pattern, out _, out var error))
        {
            yield return (nameof(Pattern), $"Enter a valid regular expression: {error}");
        }

        if (Tidy(Kind) is { } kind && !TriageLabels.Kinds.Contains(kind))
        {
            yield return (nameof(Kind), "Choose a kind from the list");
        }

        if (Tidy(Category) is { } category && !TriageLabels.Categories.Contains(category))
        {
            yield return (nameof(Category), "Choose a category from the list");
        }

        if (Tidy(Sentiment) is { } sentiment && !TriageLabels.Sentiments.Contains(sentiment))
        {
            yield return (nameof(Sentiment), "Choose a sentiment from the list");
        }

        if (!HasCondition)
        {
            yield return (nameof(Keywords), "Add at least one condition: keywords, a pattern, a kind, category or sentiment, a channel, a place, or urgent only");
        }
    }

    private bool HasCondition =>
        RoutingKeywords.Split(Keywords).Count > 0 || Tidy(Pattern) is not null || Tidy(Kind) is not null || Tidy(Category) is not null
        || Tidy(Sentiment) is not null || ChannelKind is not null || Tidy(PlaceContains) is not null || UrgentOnly;

    private static string? Tidy(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A rule as the audit log records it, before and after a change.</summary>
public sealed record RoutingRuleSnapshot(
    string Name, int Position, bool IsEnabled, string? Keywords, string? Pattern, string? Kind, string? Category, string? Sentiment,
    ChannelKind? ChannelKind, string? PlaceContains, bool UrgentOnly, long TeamId, Priority? SetPriority)
{
    public static RoutingRuleSnapshot Of(RoutingRule r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Name, r.Position, r.IsEnabled, r.Keywords, r.Pattern, r.Kind, r.Category, r.Sentiment, r.ChannelKind, r.PlaceContains,
            r.UrgentOnly, r.TeamId, r.SetPriority);
    }
}
