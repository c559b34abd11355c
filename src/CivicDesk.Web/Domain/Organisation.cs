namespace CivicDesk.Web.Domain;

/// <summary>Marks a row that belongs to one organisation; the EF global query filter keys on it.</summary>
public interface IOrganisationOwned
{
    long OrganisationId { get; }
}

public sealed class Organisation
{
    public long Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    /// <summary>Shown to a citizen whose message looks urgent: emergency and out-of-hours numbers.</summary>
    public string EmergencyAdvice { get; set; } = "If someone is in immediate danger, call 999.";
    public string TimeZoneId { get; set; } = "Europe/London";
    /// <summary>Opening hours in local time, e.g. "Mon-Fri 09:00-17:00"; service targets count only these hours.</summary>
    public string WorkingHours { get; set; } = "Mon-Fri 09:00-17:00";
    /// <summary>Which UK bank holidays close the office: england-and-wales, scotland, northern-ireland or none.</summary>
    public string HolidayCalendar { get; set; } = "england-and-wales";
    /// <summary>Privacy notice: who to contact about personal data (the data protection officer's address).</summary>
    public string? PrivacyContact { get; set; }
    /// <summary>Privacy notice: the ICO registration number, e.g. Z1234567.</summary>
    public string? IcoRegistration { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Team : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public string? Description { get; set; }
    /// <summary>Catches every message no routing rule claims.</summary>
    public bool IsDefault { get; set; }
    /// <summary>Contact-centre style teams triage for everyone and so see every conversation.</summary>
    public bool SeesAllConversations { get; set; }
    public DateTime CreatedAt { get; set; }
}
