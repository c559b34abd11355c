using BenchmarkDotNet.Attributes;
using CivicDesk.Triage;
using CivicDesk.Triage.Learning;

namespace CivicDesk.Benchmarks;

/// <summary>
/// BenchmarkDotNet view of the triage throughput: the same real test texts as the plain <c>triage</c> command, full
/// triage (all four models + urgency + place) against the benchmark's own word-list lexicon scorer, with
/// <see cref="MemoryDiagnoserAttribute"/> for allocated bytes. Each invocation triages every text, so the reported time
/// divided by <see cref="OperationsPerInvoke"/> is per post (BenchmarkDotNet does this via OperationsPerInvoke).
/// Usage: <c>dotnet run -c Release --project bench/CivicDesk.Benchmarks -- bdn</c>
/// </summary>
[MemoryDiagnoser]
public class TriageBenchmarks
{
    /// <summary>Texts per invocation (a fixed slice of the test texts, so one invocation stays short).</summary>
    public const int OperationsPerInvoke = 3_800;

    private string[] _texts = [];
    private ModelTriageEngine _engine = null!;
    private TriageBenchmark.LexiconScorer _lexicon = null!;
    private float[] _p = [];
    private int[] _best = [];

    [GlobalSetup]
    public void Setup()
    {
        var models = TriageBenchmark.FindModels() ?? throw new InvalidOperationException("No models/ folder found above the current directory.");
        var data = TriageData.FindDataDirectory() ?? throw new InvalidOperationException("No shared/data found (set CIVICDESK_SHARED_DATA).");
        _engine = new ModelTriageEngine(ModelSet.Load(models));
        // Timing only: every 5th test text (labels not read), 3,800 in all.
        _texts = [.. TriageTasks.All.Select(t => TriageData.SplitPath(data, t.Name, "test")).Where(File.Exists)
            .SelectMany(p => TriageData.ReadJsonl(p)).Where((_, i) => i % 5 == 0).Select(r => r.Text).Take(OperationsPerInvoke)];
        if (_texts.Length < OperationsPerInvoke)
        {
            throw new InvalidOperationException($"Only {_texts.Length} test texts.");
        }

        _lexicon = new TriageBenchmark.LexiconScorer();
        _p = new float[_engine.Models.TotalLabels];
        _best = new int[_engine.Models.Models.Count];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke, Description = "lexicon word-list baseline")]
    public int Lexicon()
    {
        var sum = 0;
        foreach (var t in _texts)
        {
            sum += _lexicon.Score(t);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke, Description = "full triage: 4 models + urgency + place")]
    public int FullTriage()
    {
        var sum = 0;
        foreach (var t in _texts)
        {
            var s = _engine.Assess(t, null, null, _p, _best);
            sum += _best[0] + (s.Urgency.IsUrgent ? 1 : 0);
        }

        return sum;
    }
}
