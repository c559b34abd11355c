using CivicDesk.Triage.Duplicates;
using Xunit.Abstractions;

namespace CivicDesk.Triage.Tests.Duplicates;

public sealed class DuplicateDetectorTests(ITestOutputHelper output)
{
    private static readonly DateTime T0 = new(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);

    // Two points on Lypiatt Road, Cheltenham, about 20 m apart; a third about 2 km away.
    private static DuplicateSubject Case(long id, string text, double? lat = 51.8930, double? lon = -2.0790, string service = "potholes", string? group = "highways", double days = 0) =>
        new(id, service, group, text, lat, lon, T0.AddDays(days));

    [Fact]
    public void Finds_the_same_pothole_nearby_and_says_why()
    {
        var subject = Case(1, "Huge pothole outside 12 Lypiatt Road, nearly lost a wheel", 51.89318, -2.07895, days: 2);
        var open = new[]
        {
            Case(2, "Deep pot hole on Lypiatt Road by number 12"),
            Case(3, "Pothole on the A40 near Andoversford", 51.8750, -1.9800),
        };

        var matches = new DuplicateDetector().Find(subject, open);

        var match = matches.ShouldHaveSingleItem();
        match.CandidateId.ShouldBe(2);
        match.DistanceMetres!.Value.ShouldBeLessThan(30);
        match.SharedTerms.ShouldContain("lypiatt");
        match.SharedTerms.ShouldContain("pothole"); // "pot hole" meets "pothole"
        match.Reasons.ShouldContain("same service (potholes)");
        match.Reasons.ShouldContain(r => r.Contains("metres apart", StringComparison.Ordinal));
        match.Reasons.ShouldContain("reported 2 days earlier");
        output.WriteLine(string.Join(" · ", match.Reasons));
    }

    [Fact]
    public void Other_services_far_places_and_old_cases_are_not_duplicates()
    {
        var subject = Case(1, "Street light out on Lypiatt Road", service: "street-lights", group: "lighting", days: 40);
        var open = new[]
        {
            Case(2, "Street light out on Lypiatt Road", service: "potholes", group: "highways", days: 39), // other service
            Case(3, "Street light out on Lypiatt Road", lat: 51.9100, lon: -2.0790, service: "street-lights", group: "lighting", days: 39), // 2 km away
            Case(4, "Street light out on Lypiatt Road", service: "street-lights", group: "lighting", days: 0), // 40 days old
        };

        new DuplicateDetector().Find(subject, open).ShouldBeEmpty();
    }

    [Fact]
    public void Related_service_in_the_same_group_counts_but_weighs_less()
    {
        var subject = Case(1, "Water pouring across the road from a blocked drain on Lypiatt Road", service: "blocked-drains", group: "drainage");
        var same = Case(2, "Blocked drain on Lypiatt Road, water pouring across the road", service: "blocked-drains", group: "drainage");
        var related = same with { Id = 3, ServiceCode = "flooding" };

        var matches = new DuplicateDetector().Find(subject, [same, related]);

        matches.Select(m => m.CandidateId).ShouldBe([2, 3]);
        matches[1].Score.ShouldBeLessThan(matches[0].Score);
        matches[1].Reasons[0].ShouldStartWith("related service");
    }

    [Fact]
    public void Without_a_location_only_wording_and_time_decide()
    {
        // A tweet without a geotag against located cases: the street name carries it.
        var subject = Case(1, "@council massive pothole on Lypiatt Road again", lat: null, lon: null, days: 1);
        var open = new[]
        {
            Case(2, "Pothole Lypiatt Road outside the school"),
            Case(3, "Pothole on Hales Road near the roundabout", 51.8920, -2.0600),
        };

        var matches = new DuplicateDetector().Find(subject, open);

        matches.ShouldHaveSingleItem().CandidateId.ShouldBe(2);
        matches[0].DistanceMetres.ShouldBeNull();
        matches[0].Reasons.ShouldContain("only one of the two has a location");
    }

    [Fact]
    public void Per_service_radius_widens_the_search()
    {
        var subject = Case(1, "Fly-tipped mattress in the lane", 51.8930, -2.0790);
        var candidate = Case(2, "Mattress dumped in the lane", 51.8939, -2.0790); // ~100 m north

        new DuplicateDetector().Find(subject, [candidate]).ShouldBeEmpty();
        new DuplicateDetector().Find(subject, [candidate], code => code == "potholes" ? 200 : 0).ShouldHaveSingleItem();
    }

    [Fact]
    public void The_subject_itself_and_empty_text_are_handled()
    {
        var subject = Case(1, "");
        new DuplicateDetector().Find(subject, [subject]).ShouldBeEmpty();
        new DuplicateDetector().Find(subject, [Case(2, "")]).ShouldHaveSingleItem().TextSimilarity.ShouldBe(0); // same spot, no words
    }

    [Fact]
    public void Cosine_is_symmetric_and_one_for_identical_texts()
    {
        var stats = TermStatistics.Build(["pothole on lypiatt road", "street light out", "bins not collected"]);
        var a = stats.Vector("Pothole on Lypiatt Road");
        var b = stats.Vector("Bins not collected on Lypiatt Road");
        TermVector.Cosine(a, a).ShouldBe(1, 1e-9);
        TermVector.Cosine(a, b).ShouldBe(TermVector.Cosine(b, a), 1e-12);
        TermVector.Cosine(a, b).ShouldBeInRange(0.01, 0.99);
        TermStatistics.Terms("The pot holes").ShouldBe(["pot", "hole", "pot_hole", "pothole"]);
    }

    [Fact]
    public void Distance_matches_a_known_value() =>
        // Cheltenham Town Hall to Gloucester Cathedral: about 12.6 km.
        Geo.DistanceMetres(51.8984, -2.0781, 51.8675, -2.2466).ShouldBeInRange(12_000, 12_300);
}
