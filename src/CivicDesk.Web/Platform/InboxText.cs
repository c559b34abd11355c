using System.Globalization;
using System.Text;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Platform;

/// <summary>
/// Words for staff pages: ages, labels, channel names, tag colours, dates. Inbox, cases, templates and other
/// features share them, so they live in Platform (the name stays for the callers written before the move).
/// </summary>
public static class InboxText
{
    public static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => "just now",
        { TotalMinutes: < 2 } => "1 minute",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes} minutes",
        { TotalHours: < 2 } => "1 hour",
        { TotalDays: < 1 } => $"{(int)age.TotalHours} hours",
        { TotalDays: < 2 } => "1 day",
        _ => $"{(int)age.TotalDays} days",
    };

    /// <summary>"service_request" → "Service request".</summary>
    public static string Label(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "None";
        }

        var words = value.Replace('_', ' ');
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static string Channel(ChannelKind kind) => kind switch
    {
        ChannelKind.WebForm => "Web form",
        ChannelKind.Api => "API",
        ChannelKind.Twitter => "X (Twitter)",
        ChannelKind.Rss => "RSS",
        _ => kind.ToString(),
    };

    public static string StatusTagClass(ConversationStatus status) => status switch
    {
        ConversationStatus.New => "govuk-tag--purple",
        ConversationStatus.Open => "govuk-tag--turquoise",
        ConversationStatus.WaitingOnCitizen => "govuk-tag--yellow",
        ConversationStatus.Resolved => "govuk-tag--green",
        _ => "govuk-tag--grey",
    };

    public static string PriorityTagClass(Priority priority) => priority switch
    {
        Priority.Urgent => "govuk-tag--red",
        Priority.High => "govuk-tag--orange",
        Priority.Low => "govuk-tag--grey",
        _ => "govuk-tag--teal",
    };

    public static string SentimentTagClass(string? sentiment) => sentiment switch
    {
        "negative" => "govuk-tag--pink",
        "positive" => "govuk-tag--green",
        _ => "govuk-tag--grey",
    };

    /// <summary>en-GB, GOV.UK style: "2:05pm on 21 November 2026".</summary>
    public static string When(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        var culture = CultureInfo.GetCultureInfo("en-GB");
        var time = local.ToString(local.Minute == 0 ? "%h" : "h:mm", culture) + (local.Hour < 12 ? "am" : "pm");
        return new StringBuilder(time).Append(" on ").Append(local.ToString("d MMMM yyyy", culture)).ToString();
    }

    public static TimeZoneInfo Zone(string? id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrEmpty(id) ? "Europe/London" : id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
    }
}
