using CivicDesk.Triage.Places;
using Xunit.Abstractions;

namespace CivicDesk.Triage.Tests.Places;

public sealed class PlaceEvaluationTests(ITestOutputHelper output)
{
    [Fact]
    public void GoldStreet_NearestRoadNamedInTheText_IsTheStreetKey()
    {
        PlaceEvaluation.GoldStreet(new PlaceSample("1", "Pothole on hewlett rd", "12 Hewlett Road, Cheltenham", 51.9, -2.06)).ShouldBe("hewlett road");
        PlaceEvaluation.GoldStreet(new PlaceSample("2", "Pothole by the shops", "12 Hewlett Road, Cheltenham", 51.9, -2.06)).ShouldBeNull();
    }

    [Fact]
    public void GoldPostcodes_AreLooserThanTheFinder()
    {
        // "GL50 1CI" has inward letters Royal Mail never uses: gold counts it, the finder does not (a false negative).
        PlaceEvaluation.GoldPostcodes("near gl50 1ci and GL51 4SL").ShouldBe(["GL50 1CI", "GL51 4SL"]);
    }

    [Fact]
    public void Run_HandMadeReports_CountsEachOutcome()
    {
        PlaceSample[] rows =
        [
            new("a", "Pothole on Hewlett Road GL52 6DB", "Hewlett Road, Cheltenham", 51.9000, -2.0600),   // street TP, postcode TP
            new("b", "Light out near Bath Road", "Suffolk Parade, Cheltenham", 51.8900, -2.0750),          // street FP (no gold)
            new("c", "Hewlett Road drain blocked", "Hewlett Road, Cheltenham", 51.9300, -2.0600),          // street FN; gazetteer 3.3 km off
        ];
        var gazetteer = new Gazetteer([new GazetteerEntry("Hewlett Road", "Cheltenham", 51.9000, -2.0600), new GazetteerEntry("Bath Road", null, 51.8901, -2.0751)]);

        var report = PlaceEvaluation.Run(rows, gazetteer);

        report.Postcode.ShouldBe(new ExtractionScore(1, 0, 0));
        report.Street.ShouldBe(new ExtractionScore(1, 1, 1));
        report.StreetLenient.ShouldBe(new ExtractionScore(2, 0, 1));
        report.Gazetteer.Resolved.ShouldBe(3);
        report.Gazetteer.Within500Metres.ShouldBe(2);
        report.Gazetteer.GoldRows.ShouldBe(2);
        report.Gazetteer.Recall.ShouldBe(0.5);
    }

    [FmsDataFact]
    public void Run_OnTheDevelopmentSplit_KeepsItsMeasuredScores()
    {
        var folder = Path.GetDirectoryName(FmsData.DevPath!)!;
        var dev = File.ReadLines(FmsData.DevPath!).Select(PlaceSample.Parse).ToList();
        var gazetteer = PlaceEvaluation.GazetteerFrom(File.ReadLines(Path.Combine(folder, "train.jsonl")).Select(PlaceSample.Parse));

        var report = PlaceEvaluation.Run(dev, gazetteer);

        output.WriteLine($"{report}");
        // Floors a little under the figures in docs/places.md.
        report.Postcode.Recall.ShouldBeGreaterThanOrEqualTo(0.95);
        report.Postcode.Precision.ShouldBeGreaterThanOrEqualTo(0.95);
        report.Street.Recall.ShouldBeGreaterThanOrEqualTo(0.65);
        report.StreetLenient.Precision.ShouldBeGreaterThanOrEqualTo(0.60);
        report.Gazetteer.Precision.ShouldBeGreaterThanOrEqualTo(0.68);
        report.Gazetteer.Recall.ShouldBeGreaterThanOrEqualTo(0.74);
    }
}
