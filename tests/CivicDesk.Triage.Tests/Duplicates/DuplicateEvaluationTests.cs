using CivicDesk.Triage.Duplicates;
using Xunit.Abstractions;

namespace CivicDesk.Triage.Tests.Duplicates;

public sealed class DuplicateEvaluationTests(ITestOutputHelper output)
{
    private static readonly DateTime T0 = new(2024, 3, 1, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Scores_a_hand_built_replay()
    {
        // r1/r2: same pothole (5 m, 1 day) → gold. r3: same place, other service → not gold. r4: 30 days later → outside.
        var reports = new[]
        {
            new DatedReport("r1", "roads", "Pothole outside 3 Gloucester Road", 51.9000, -2.0800, T0),
            new DatedReport("r2", "roads", "Gloucester Road pothole by number 3", 51.90004, -2.0800, T0.AddDays(1)),
            new DatedReport("r3", "lighting", "Street light out on Gloucester Road", 51.9000, -2.0800, T0.AddDays(2)),
            new DatedReport("r4", "roads", "Pothole outside 3 Gloucester Road", 51.9000, -2.0800, T0.AddDays(40)),
        };
        var corpus = TermStatistics.Build(reports.Select(r => r.Text));

        var result = DuplicateEvaluation.Run(reports, new DuplicateOptions(), corpus);

        result.Reports.ShouldBe(4);
        result.GoldPairs.ShouldBe(1);
        var textOnly = result.Scores[0];
        textOnly.Suggested.ShouldBe(1);
        textOnly.Correct.ShouldBe(1);
        textOnly.Precision.ShouldBe(1);
        textOnly.Recall.ShouldBe(1);
        var baseline = result.Scores[1];
        baseline.Name.ShouldStartWith("baseline");
        baseline.Suggested.ShouldBe(1); // r2 → r1 only: r3 has no earlier lighting report, r4's window is empty
        baseline.ReportHitRate.ShouldBe(1);
    }

    [FmsDataFact]
    public void On_real_FixMyStreet_reports_text_beats_the_naive_list()
    {
        // Dev split (settings were chosen on train); docs/duplicates.md records the numbers.
        var folder = Path.GetDirectoryName(FmsData.DevPath!)!;
        var corpus = TermStatistics.Build(FmsReports.Load(Path.Combine(folder, "train.jsonl")).Select(r => r.Text));
        var result = DuplicateEvaluation.Run(FmsReports.Load(FmsData.DevPath!), new DuplicateOptions(), corpus);
        foreach (var s in result.Scores)
        {
            output.WriteLine($"{s.Name}: suggested={s.Suggested} P={s.Precision:F3} R={s.Recall:F3} F1={s.F1:F3} hit={s.ReportHitRate:F3}");
        }

        result.GoldPairs.ShouldBeGreaterThan(20);
        var textOnly = result.Scores[0];
        var baseline = result.Scores[1];
        textOnly.F1.ShouldBeGreaterThan(3 * baseline.F1);
        textOnly.Precision.ShouldBeGreaterThanOrEqualTo(0.3);
        textOnly.Recall.ShouldBeGreaterThanOrEqualTo(0.35);
        result.Scores[2].Precision.ShouldBe(1); // located: within the silver radius by construction
    }
}
