using CivicDesk.Triage.Learning;
using CivicDesk.Triage.Tests.Learning;

namespace CivicDesk.Triage.Tests;

/// <summary>The combined engine over the committed models (models/ at the repository root).</summary>
public sealed class ModelTriageEngineTests
{
    private static readonly Lazy<ModelTriageEngine> Committed = new(() => ModelTriageEngine.Load(ModelFolder()));

    private static ModelTriageEngine Engine => Committed.Value;

    private static string ModelFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CivicDesk.slnx")))
            {
                return Path.Combine(dir.FullName, "models");
            }
        }

        throw new DirectoryNotFoundException("Repository root not found.");
    }

    [Fact]
    public void Triage_labels_every_task_with_calibrated_confidence_threshold_and_weighted_features()
    {
        var result = Engine.Triage(new TriageInput("Huge pothole on Dog Lane outside number 4, my tyre burst. Fix the road please!"));

        result.Category.Value.ShouldBe("highways_road_surface");
        result.Category.Source.ShouldBe("model");
        result.CrisisType.ShouldNotBeNull();
        foreach (var label in new[] { result.Kind, result.Category, result.Sentiment, result.CrisisType })
        {
            label.Confidence.ShouldBeInRange(0, 1);
            label.Threshold.ShouldNotBeNull();
            label.Evidence.Count.ShouldBeInRange(1, ModelTriageEngine.ExplanationFeatures + 3);
            label.Evidence.ShouldContain(e => e.Weight != 0);
        }

        result.Category.Evidence.ShouldContain(e => e.Feature.Contains("pothole", StringComparison.Ordinal));
        result.Place!.Text.ShouldBe("Dog Lane");
        result.EngineVersion.ShouldStartWith("models ");
    }

    [Fact]
    public void Urgency_comes_from_the_safety_rules_with_the_matched_phrase()
    {
        var result = Engine.Triage(new TriageInput("There is a strong smell of gas outside the school on Mill Road"));

        result.Urgency.IsUrgent.ShouldBeTrue();
        result.Urgency.Reason.ShouldBe("gas leak");
        result.Urgency.MatchedPhrase.ShouldNotBeNull();
    }

    [Fact]
    public void Kind_is_the_complaint_models_call_else_the_keyword_kind()
    {
        const string question = "What time does the recycling centre open on Sunday?";
        Engine.Models.Find("complaints")!.Classify(question).Label.ShouldBe("not_complaint");
        Engine.Triage(new TriageInput(question)).Kind.Value.ShouldBe("question");

        const string complaint = "Absolutely disgusting service, third week running the bins have not been collected. Useless council.";
        Engine.Models.Find("complaints")!.Classify(complaint).Label.ShouldBe("complaint");
        var kind = Engine.Triage(new TriageInput(complaint)).Kind;
        kind.Value.ShouldBe("complaint");
        kind.Source.ShouldBe("model");
    }

    [Fact]
    public void A_service_group_under_its_dev_threshold_needs_a_human_and_says_why()
    {
        var unsure = Engine.Triage(new TriageInput("hello"));
        unsure.Category.IsLowConfidence.ShouldBeTrue();
        unsure.NeedsHuman.ShouldBeTrue();
        unsure.NeedsHumanReason!.ShouldContain("threshold");

        var sure = Engine.Triage(new TriageInput("Street light not working outside 12 Church Road, lamp post completely dark at night"));
        sure.Category.Value.ShouldBe("street_lighting");
        sure.NeedsHuman.ShouldBeFalse();
    }

    [Fact]
    public void Missing_models_fall_back_to_keyword_labels_per_task()
    {
        var onlySentiment = new ModelTriageEngine(ModelSet.From([TestModels.Train("sentiment", [("negative", ["awful", "useless"]), ("positive", ["thanks", "great"])])]));

        var result = onlySentiment.Triage(new TriageInput("Pothole on Dog Lane, awful"));

        result.Sentiment.Source.ShouldBe("model");
        result.Category.Source.ShouldBe("keywords");
        result.Category.Value.ShouldBe("highways_road_surface");
        result.Kind.Source.ShouldBe("keywords");
        result.CrisisType.ShouldBeNull();
        result.NeedsHuman.ShouldBeFalse();
    }

    [Fact]
    public void Assess_agrees_with_full_triage_on_urgency_place_and_needs_human()
    {
        string[] texts =
        [
            "Pothole on Dog Lane", "Smell of gas near GL50 1PQ", "Flooding into the house from the drain on Mill Road", "thanks!!",
            "Tree fallen across the road blocking it on Hatherley Lane", "", "Ｆｉｒｅ in the bin store", "lamp out at GL51",
        ];
        Span<float> p = stackalloc float[Engine.Models.TotalLabels];
        Span<int> best = stackalloc int[Engine.Models.Models.Count];
        foreach (var text in texts)
        {
            var full = Engine.Triage(new TriageInput(text, 51.9, -2.07));
            var fast = Engine.Assess(text, 51.9, -2.07, p, best);
            fast.Urgency.ShouldBe(full.Urgency, text);
            fast.Place.ShouldBe(full.Place, text);
            fast.NeedsHuman.ShouldBe(full.NeedsHuman, text);
        }
    }

    [Fact]
    public void Label_gives_the_same_labels_and_scores_as_full_triage_without_evidence()
    {
        string[] texts =
        [
            "Pothole on Dog Lane", "Smell of gas near GL50 1PQ", "Flooding into the house from the drain on Mill Road", "thanks!!",
            "What time does the recycling centre open on Sunday?", "Well done to the parks team, the gardens look brilliant",
            "Is it true the library is closing?", "Please can you empty the bins on Church Road", "", "Ｆｉｒｅ in the bin store",
            "Street light not working outside 12 Church Road, lamp post completely dark at night",
        ];
        foreach (var text in texts)
        {
            var full = Engine.Triage(new TriageInput(text, 51.9, -2.07));
            var lean = Engine.Label(new TriageInput(text, 51.9, -2.07));
            foreach (var (a, b) in new[] { (full.Kind, lean.Kind), (full.Category, lean.Category), (full.Sentiment, lean.Sentiment), (full.CrisisType!, lean.CrisisType!) })
            {
                b.Value.ShouldBe(a.Value, text);
                b.Confidence.ShouldBe(a.Confidence, 0.001, text);
                b.Threshold.ShouldBe(a.Threshold, text);
                b.Source.ShouldBe(a.Source, text);
                b.Evidence.ShouldBeEmpty(text);
            }

            lean.Urgency.ShouldBe(full.Urgency, text);
            lean.Place.ShouldBe(full.Place, text);
            lean.NeedsHumanReason.ShouldBe(full.NeedsHumanReason, text);
        }
    }

    [Fact]
    public void Assess_allocates_nothing_after_warm_up_for_folded_urgent_text_naming_a_street_and_a_postcode()
    {
        // Curly apostrophe and an ellipsis (NFKC) are folded in the thread's buffers; the place, the urgency verdict
        // and the service rule's answer are shared once given, so a repeat of the same words costs nothing.
        string[] texts =
        [
            "Strong smell of gas outside 12 Church Road, it’s getting worse…",
            "Pothole near GL50 1PQ on Mill Lane – the third this year",
            "lamp out at GL51 again",
        ];
        var p = new float[Engine.Models.TotalLabels];
        var best = new int[Engine.Models.Models.Count];
        foreach (var text in texts)
        {
            var allocated = long.MaxValue;
            for (var call = 0; call < 2_000_000 && allocated != 0; call++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                Engine.Assess(text, null, null, p, best);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            allocated.ShouldBe(0, text);
            Engine.Assess(text, null, null, p, best).Place.ShouldNotBeNull(text);
        }

        Engine.Assess(texts[0], null, null, p, best).Urgency.Reason.ShouldBe("gas leak");
    }

    [Fact]
    public void Assess_allocates_nothing_after_warm_up_for_a_plain_post()
    {
        // No street word: PlaceFinder.FindStreet (not this engine) allocates a few hundred bytes when one is present.
        const string text = "the bins were not collected again this week and the road is a mess, third time";
        var p = new float[Engine.Models.TotalLabels];
        var best = new int[Engine.Models.Models.Count];
        // Tier-0 JIT code allocates (boxing that the optimised tier removes); warm up until the optimised code runs,
        // bounded by a call count rather than by sleeping.
        var allocated = long.MaxValue;
        for (var call = 0; call < 2_000_000 && allocated != 0; call++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Engine.Assess(text, null, null, p, best);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        allocated.ShouldBe(0);
        Engine.Assess(text, null, null, p, best).Urgency.IsUrgent.ShouldBeFalse();
    }
}
