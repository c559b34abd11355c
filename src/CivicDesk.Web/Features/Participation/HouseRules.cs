namespace CivicDesk.Web.Features.Participation;

/// <summary>One published house rule: moderators hide content by naming the rule it broke; the placeholder says which.</summary>
public sealed record HouseRule(string Code, string Title, string Explanation);

/// <summary>The house rules published at /participate/house-rules. Codes are stored on hidden content and reports.</summary>
public static class HouseRules
{
    public static readonly IReadOnlyList<HouseRule> All =
    [
        new("abuse", "Abusive or hateful", "Personal attacks, harassment, threats, or hate against anyone for who they are."),
        new("personal-data", "Personal information", "Other people's names, addresses, phone numbers, photos of faces or car number plates, or your own contact details."),
        new("off-topic", "Off topic", "Not about the question this challenge asks. Report a problem through the report form instead."),
        new("advertising", "Advertising or spam", "Selling, promoting a business, or the same text posted again and again."),
        new("illegal", "Illegal or dangerous", "Anything that breaks the law, or encourages others to, including defamation."),
        new("duplicate", "Duplicate", "The same idea as one already posted: support that one instead, so support is counted in one place."),
    ];

    public static HouseRule? Find(string? code) => All.FirstOrDefault(r => r.Code == code);

    public static string TitleOf(string? code) => Find(code)?.Title ?? "Breaks our house rules";
}
