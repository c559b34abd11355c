using System.Diagnostics;

namespace CivicDesk.Triage.Tests;

public sealed class KeywordTriageEngineTests
{
    [Fact]
    public void Triage_EmptyText_GivesFallbacksWithLowConfidence()
    {
        var result = Triage.Of("");

        result.Kind.ShouldSatisfyAllConditions(l => l.Value.ShouldBe("other"), l => l.Confidence.ShouldBe(KeywordTriageEngine.FallbackConfidence));
        result.Category.ShouldSatisfyAllConditions(l => l.Value.ShouldBe("none"), l => l.Confidence.ShouldBe(KeywordTriageEngine.FallbackConfidence));
        result.Sentiment.Value.ShouldBe("neutral");
        result.Urgency.IsUrgent.ShouldBeFalse();
        result.Place.ShouldBeNull();
        result.EngineVersion.ShouldBe(Triage.Engine.Version);
    }

    [Fact]
    public void Triage_NullInput_Throws() =>
        Should.Throw<ArgumentNullException>(() => Triage.Engine.Triage(null!));

    [Fact]
    public void Triage_LabelsNameTheirTask()
    {
        var result = Triage.Of("Please fix the pothole");

        (result.Kind.Task, result.Category.Task, result.Sentiment.Task).ShouldBe(("kind", "category", "sentiment"));
    }

    [Fact]
    public void Triage_EmojiAndOddUnicode_StillFindsCues()
    {
        var result = Triage.Of("🚧🚧 ｐｏｔｈｏｌｅ on Dog\u00A0Lane!!! 😡\u200B\uD83D Please fix");

        result.Category.Value.ShouldBe("highways_road_surface");
        result.Kind.Value.ShouldBe("service_request");
        result.Place!.Text.ShouldBe("Dog\u00A0Lane".Normalize(System.Text.NormalizationForm.FormKC));
    }

    [Fact]
    public void Triage_VeryLongText_IsBoundedAndStillClassified()
    {
        var text = "Blocked drain again. " + string.Concat(Enumerable.Repeat("The water keeps rising on the road. ", 20_000));

        var watch = Stopwatch.StartNew();
        var result = Triage.Of(text);
        watch.Stop();

        result.Category.Value.ShouldBe("drainage_flooding");
        // Generous: the cut at NormalisedText.MaxLength keeps this to a few milliseconds; the bound catches quadratic work.
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Triage_ConfidencesAreWithinZeroAndOne()
    {
        string[] texts =
        [
            "", "pothole", "Please fix the pothole on Dog Lane, it is dangerous and a disgrace. Thank you!",
            "Is it true the tip is closing? I heard it is", "Well done, brilliant, thank you so much, amazing work",
            string.Concat(Enumerable.Repeat("pothole drain tree sign light bin graffiti ", 500)),
        ];

        foreach (var r in texts.Select(t => Triage.Of(t)))
        {
            foreach (var label in new[] { r.Kind, r.Category, r.Sentiment })
            {
                label.Confidence.ShouldBeInRange(0, 1);
                label.Evidence.Count.ShouldBeLessThanOrEqualTo(KeywordTriageEngine.MaxEvidence);
            }
        }
    }

    [Fact]
    public void Triage_IsThreadSafe_GivesTheSameResultsInParallel()
    {
        string[] texts =
        [
            "Pothole outside 12 Dog Lane", "Gas smell at GL50 1PQ", "Thank you, well done!", "Is it true the park is closing?",
            "Street light out again, still not fixed", "Fly-tipped mattress on Old Bath Road", "Not good enough", "",
        ];
        var expected = texts.Select(t => Describe(Triage.Of(t))).ToArray();

        var actual = new string[texts.Length * 200];
        Parallel.For(0, actual.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = Describe(Triage.Of(texts[i % texts.Length])));

        for (var i = 0; i < actual.Length; i++)
        {
            actual[i].ShouldBe(expected[i % texts.Length]);
        }
    }

    private static string Describe(TriageResult r) =>
        $"{r.Kind.Value}:{r.Kind.Confidence}|{r.Category.Value}:{r.Category.Confidence}|{r.Sentiment.Value}|{r.Urgency}|{r.Place}|" +
        string.Join(",", r.Category.Evidence.Select(e => e.Feature));
}
