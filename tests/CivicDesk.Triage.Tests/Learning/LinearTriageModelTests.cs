using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage.Tests.Learning;

public sealed class LinearTriageModelTests
{
    private static readonly LinearTriageModel Model = TestModels.Train("services", TestModels.Services);

    private static readonly string[] Samples =
        ["huge pothole on the road", "my bin was not collected", "street light is dark again", "", "😡😡😡 ???", "Ça ne marche pas"];

    [Fact]
    public void Training_learns_the_signal_words()
    {
        Model.Classify("there is a pothole outside my house").Label.ShouldBe("roads");
        Model.Classify("recycling collection missed").Label.ShouldBe("waste");
        Model.Classify("the lamp is out").Label.ShouldBe("lighting");
        Model.Info.DevAccuracy.ShouldBeGreaterThan(0.9);
    }

    [Fact]
    public void Probabilities_sum_to_one_and_the_prediction_is_the_most_probable()
    {
        Span<float> p = stackalloc float[3];
        foreach (var text in Samples)
        {
            var best = Model.Predict(text, p);
            p.ToArray().Sum().ShouldBe(1f, 1e-5f);
            p.ToArray().Max().ShouldBe(p[best]);
        }
    }

    [Fact]
    public void Vectorised_predict_agrees_with_the_reference_scoring_that_explain_uses()
    {
        var p = new float[3];
        foreach (var text in Samples.Concat(Samples))
        {
            Model.Predict(text, p);
            var explained = Model.Explain(text).Probabilities.ToDictionary(x => x.Label, x => x.Probability);
            for (var i = 0; i < 3; i++)
            {
                p[i].ShouldBe(explained[Model.Labels[i]], 1e-6f);
            }
        }
    }

    [Fact]
    public void Save_and_load_round_trip_gives_identical_probabilities()
    {
        var path = Path.Combine(Path.GetTempPath(), $"civicdesk-model-{Guid.NewGuid():N}.cdtm");
        try
        {
            Model.Save(path);
            var loaded = LinearTriageModel.Load(path);
            loaded.Task.ShouldBe("services");
            loaded.Labels.ShouldBe(Model.Labels);
            loaded.Features.ShouldBe(Model.Features);
            loaded.Temperature.ShouldBe(Model.Temperature);
            loaded.LowConfidenceThreshold.ShouldBe(Model.LowConfidenceThreshold);
            loaded.Info.ShouldBe(Model.Info);
            var a = new float[3];
            var b = new float[3];
            foreach (var text in Samples)
            {
                Model.Predict(text, a);
                loaded.Predict(text, b);
                b.ShouldBe(a);
            }

            loaded.ToBytes().ShouldBe(Model.ToBytes());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_damaged_file_is_refused()
    {
        var bytes = Model.ToBytes();
        bytes[bytes.Length / 2] ^= 0x40;
        Should.Throw<InvalidDataException>(() => LinearTriageModel.Read(bytes)).Message.ShouldContain("checksum");
        Should.Throw<InvalidDataException>(() => LinearTriageModel.Read("not a model at all"u8.ToArray()));
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        var again = TestModels.Train("services", TestModels.Services);
        var a = new float[3];
        var b = new float[3];
        Model.Predict("pothole near the bin", a);
        again.Predict("pothole near the bin", b);
        b.ShouldBe(a);
    }

    [Fact]
    public void Explain_names_the_words_behind_the_label()
    {
        var e = Model.Explain("Massive POTHOLE on the road!!!", top: 5);
        e.Label.ShouldBe("roads");
        e.Probabilities[0].Label.ShouldBe("roads");
        e.Probabilities.Sum(p => p.Probability).ShouldBe(1f, 1e-5f);
        e.Features.Count.ShouldBe(5);
        e.Features.ShouldContain(f => f.Feature == "pothole" && f.Kind == "word" && f.Weight > 0);
        e.Features.Select(f => Math.Abs(f.Weight)).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public void Confidence_below_the_threshold_is_flagged()
    {
        var (_, confidence, low) = Model.Classify("");
        low.ShouldBe(confidence < Model.LowConfidenceThreshold);
        Model.LowConfidenceThreshold.ShouldBeInRange(0f, 1f);
        Model.Temperature.ShouldBeGreaterThan(0f);
    }

    [Fact]
    public void Predict_allocates_nothing_after_warm_up()
    {
        var p = new float[3];
        Model.Predict("warm up the thread's buffers", p);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            Model.Predict("The street light outside no. 12 is OUT again!!! not good :( #dark", p);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
