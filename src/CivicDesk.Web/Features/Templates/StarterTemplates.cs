namespace CivicDesk.Web.Features.Templates;

/// <summary>Plain-English starting points seeded for a new or demo organisation (GOV.UK style: short, active, what happens next).</summary>
public static class StarterTemplates
{
    public static readonly IReadOnlyList<(string Name, string Body)> OrganisationWide =
    [
        ("We have your report", "Hello {{citizen_name}}, thank you for telling us. Your reference is {{reference}}. {{team}} will deal with it. We expect to finish by {{expected_by}}. You can check progress at {{status_url}}"),
        ("We need more information", "Hello {{citizen_name}}, thank you for getting in touch. We need a little more detail to act on this. Please reply with the exact location, such as the street name and the nearest house number. Your reference is {{reference}}."),
        ("Fixed", "Hello {{citizen_name}}, we have fixed the problem you reported ({{reference}}). Thank you for telling us. If it comes back, reply to this message and we will look again."),
        ("Not ours to fix", "Hello {{citizen_name}}, thank you for telling us. This is not something the council looks after, so we cannot fix it. We have passed your report on to the organisation that does. Your reference is {{reference}}."),
    ];

    public static readonly IReadOnlyList<(string Name, string Body)> Highways =
    [
        ("Pothole booked for repair", "Hello {{citizen_name}}, we have inspected the pothole you reported. We have booked a repair and expect to finish by {{expected_by}}. If it becomes dangerous before then, call us. Your reference is {{reference}}."),
    ];
}
