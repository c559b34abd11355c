using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage.Tests.Learning;

/// <summary>A fact that is skipped, saying why, when the labelled datasets are not on this machine.</summary>
internal sealed class NeedsSharedDataFactAttribute : FactAttribute
{
    public NeedsSharedDataFactAttribute()
    {
        if (TriageData.FindDataDirectory(startDirectory: AppContext.BaseDirectory) is null)
        {
            Skip = $"needs the labelled datasets in ../shared/data, which are not on this machine (set {TriageData.DataDirectoryVariable} to the shared data folder, or check out shared/ next to the repository)";
        }
    }
}

public sealed class RealDataRegressionTests
{
    private static string Data => TriageData.FindDataDirectory(startDirectory: AppContext.BaseDirectory)!;

    [NeedsSharedDataFact]
    public void Complaints_model_trained_on_2000_train_rows_keeps_its_dev_score()
    {
        var train = TriageData.ReadJsonl(TriageData.SplitPath(Data, "complaints", "train"), limit: 2000);
        var dev = TriageData.ReadJsonl(TriageData.SplitPath(Data, "complaints", "dev"));
        var result = ModelTrainer.Train("complaints", train, dev,
            TriageTasks.Complaints.Defaults with { Features = TriageTasks.Complaints.Defaults.Features with { BucketBits = 16 }, MaxEpochs = 6 });
        // Measured 0.80 when written; the floor leaves room for seed-level noise, not for a broken pipeline
        // (majority class scores 0.39, a lexicon 0.62).
        result.Dev.MacroF1.ShouldBeGreaterThan(0.74);
        result.Model.Classify("@British_Airways lost my bag AGAIN, two hours on hold and no reply").Label.ShouldBe("complaint");
    }

    [NeedsSharedDataFact]
    public void Dataset_reader_reads_every_split_with_labels()
    {
        foreach (var task in TriageTasks.All)
        {
            var dev = TriageData.ReadJsonl(TriageData.SplitPath(Data, task.Name, "dev"), limit: 50);
            dev.Count.ShouldBe(50);
            dev.ShouldAllBe(r => r.Label.Length > 0);
        }
    }
}

public sealed class CommittedModelTests
{
    private static string? ModelFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CivicDesk.slnx")))
            {
                return Path.Combine(dir.FullName, "models");
            }
        }

        return null;
    }

    [Fact]
    public void Committed_models_load_and_triage_plain_cases()
    {
        var folder = ModelFolder();
        folder.ShouldNotBeNull();
        var set = ModelSet.Load(folder);
        set.Models.Select(m => m.Task).ShouldBe(TriageTasks.All.Select(t => t.Name));
        foreach (var model in set.Models)
        {
            new FileInfo(Path.Combine(folder, TriageTasks.ModelFileName(model.Task))).Length.ShouldBeLessThan(20L * 1024 * 1024);
        }

        string Label(string task, string text) => set.Classify(text).Single(p => p.Task == task).Label;
        Label("service_requests_fms", "Huge pothole on Dog Lane, nearly came off my bike").ShouldBe("highways_road_surface");
        Label("service_requests_fms", "Street light not working outside number 12").ShouldBe("street_lighting");
        Label("service_requests_fms", "Someone has dumped a mattress and bags of rubbish in the lay-by").ShouldBe("flytipping");
        Label("complaints", "This is disgusting, worst service ever. I hate this").ShouldBe("complaint");
        Label("complaints", "Thank you so much to the crews, brilliant work today :)").ShouldBe("not_complaint");
        Label("sentiment", "This is disgusting, worst service ever. I hate this").ShouldBe("negative");
        Label("sentiment", "Thank you so much to the crews, brilliant work today :)").ShouldBe("positive");
        Label("crisis", "Donate to the Red Cross flood relief appeal, text REDCROSS to 90999").ShouldBe("donations_and_volunteering");
    }
}
