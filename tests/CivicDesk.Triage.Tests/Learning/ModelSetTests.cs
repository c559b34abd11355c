using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage.Tests.Learning;

public sealed class ModelSetTests
{
    // Repeated words and a repeated post exercise the per-thread word cache's hits as well as its misses.
    private static readonly string[] Samples =
        ["huge pothole, thanks for nothing", "great bin collection", "", "dark lamp 😡 useless!!", "huge pothole, thanks for nothing", "#pothole pothole POTHOLE"];

    [Fact]
    public void Set_predictions_equal_each_models_own_predictions()
    {
        // Same features: one extraction and one interleaved table (2 + 3 labels, padded to 8 columns).
        var services = TestModels.Train("services", TestModels.Services);
        var moods = TestModels.Train("moods", TestModels.Moods);
        // Other features: a second group.
        var other = TestModels.Train("moods_words", TestModels.Moods, TestModels.SmallFeatures with { CharNgramMin = 0, CharNgramMax = 0 });
        AssertSetMatchesModels(ModelSet.From([services, moods, other]));
    }

    [Fact]
    public void Set_of_thirty_labels_uses_the_wide_path_and_matches_each_model()
    {
        // 2 + 3 + 17 + 8 labels, as the four triage tasks: 32 interleaved columns (the AVX2 path where supported).
        (string, string[])[] Classes(string prefix, int n) =>
            [.. Enumerable.Range(0, n).Select(i => ($"{prefix}{i}", new[] { $"{prefix}w{i}", $"{prefix}v{i}" }))];
        LinearTriageModel[] models =
        [
            TestModels.Train("a", Classes("a", 2)), TestModels.Train("b", Classes("b", 3)),
            TestModels.Train("c", Classes("c", 17)), TestModels.Train("d", Classes("d", 8)),
        ];
        var set = ModelSet.From(models);
        set.TotalLabels.ShouldBe(30);
        AssertSetMatchesModels(set, ["aw1 bv2 cw16 dv7", "cw3 cw3 dw0 !!", "nothing known here"]);
    }

    [Fact]
    public void Duplicate_tasks_are_refused()
    {
        var m = TestModels.Train("moods", TestModels.Moods);
        Should.Throw<InvalidDataException>(() => ModelSet.From([m, m]));
    }

    [Fact]
    public void Set_predict_allocates_nothing_after_warm_up()
    {
        var set = ModelSet.From([TestModels.Train("services", TestModels.Services), TestModels.Train("moods", TestModels.Moods)]);
        var p = new float[set.TotalLabels];
        var best = new int[set.Models.Count];
        set.Predict("warm up", p, best);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            set.Predict("The street light is OUT again!!! not good :( #dark", p, best);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    private static void AssertSetMatchesModels(ModelSet set, string[]? samples = null)
    {
        var p = new float[set.TotalLabels];
        var best = new int[set.Models.Count];
        foreach (var text in samples ?? Samples)
        {
            set.Predict(text, p, best);
            for (var i = 0; i < set.Models.Count; i++)
            {
                var model = set.Models[i];
                var own = new float[model.Labels.Count];
                var ownBest = model.Predict(text, own);
                best[i].ShouldBe(ownBest);
                p.AsSpan(set.LabelOffset(i), own.Length).ToArray().ShouldBe(own, 1e-5f);
                // and the plain reference scoring (used by Explain) agrees with both vectorised layouts
                var reference = model.Explain(text).Probabilities.ToDictionary(x => x.Label, x => x.Probability);
                own.ShouldBe(model.Labels.Select(l => reference[l]).ToArray(), 1e-5f);
            }
        }
    }
}
