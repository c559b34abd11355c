using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Features.Demo;

/// <summary>Demo mode: a ready-made organisation with staff, channels, rules and a lived-in inbox. Never for real use.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seeds the demo organisation at start-up and runs the living-inbox feed.</summary>
    public bool Enabled { get; set; }

    /// <summary>Trickles a new message into the demo inbox every few seconds (demo mode only).</summary>
    public bool LiveFeed { get; set; } = true;

    [Range(1, 3600)] public int FeedMinSeconds { get; set; } = 5;

    [Range(1, 3600)] public int FeedMaxSeconds { get; set; } = 15;

    /// <summary>How many FixMyStreet reports to seed as web-form submissions.</summary>
    [Range(0, 5_000)] public int SeedReports { get; set; } = 300;

    /// <summary>How many posts from the complaints dataset to seed as mentions of the X channel.</summary>
    [Range(0, 2_000)] public int SeedSocialPosts { get; set; } = 60;

    /// <summary>How many messages of the shipped year-long corpus to seed (<see cref="DemoCorpus"/>; 0 for none).</summary>
    [Range(0, 20_000)] public int CorpusMessages { get; set; } = 1_600;

    /// <summary>How far back the corpus reaches.</summary>
    [Range(7, 730)] public int CorpusDays { get; set; } = 365;

    /// <summary>How far back the seeded shared-dataset messages reach.</summary>
    [Range(1, 365)] public int SpreadDays { get; set; } = 28;
}
