using System.Globalization;
using System.Text.Json;
using CivicDesk.Web.Features.Participation;

namespace CivicDesk.Benchmarks;

/// <summary>
/// <c>similar-ideas [--pool N] [--queries N]</c>: precision at 5 of the "similar ideas" shown while a citizen types a
/// title (<c>ChallengeService.Rank</c>: the duplicate detector's TF-IDF, cosine ≥ 0.12, top 5), on a labelled set built
/// from real reports: FixMyStreet's Cheltenham reports (<c>shared/data/service_requests_fms/test.jsonl</c>, see its
/// README), whose titles are not just the category name. A fixed-seed sample of N reports (title + detail) stands for
/// a challenge's existing ideas; another N reports' titles are the typed titles. A suggestion is relevant when it was
/// filed under the same FixMyStreet category as the query (fine: <c>category_raw</c>; coarse: the service group).
/// Prints P@5 (relevant in the top 5 ÷ 5), the precision of what was shown (÷ the number shown, when any was), how often
/// anything was shown, and, in the same run, the baseline of 5 random ideas from the pool.
/// </summary>
public static class SimilarIdeasBenchmark
{
    private sealed record Report(string Title, string Detail, string Category, string Group);

    public static int Run(string[] args)
    {
        int pool = 300, queries = 300;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var ok = int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 10 and <= 2_000;
            switch (args[i])
            {
                case "--pool" when ok: pool = v; break;
                case "--queries" when ok: queries = v; break;
                default:
                    Console.Error.WriteLine("usage: similar-ideas [--pool 10-2000 (300)] [--queries 10-2000 (300)]");
                    return 2;
            }
        }

        var file = Find();
        if (file is null)
        {
            Console.Error.WriteLine("shared/data/service_requests_fms/test.jsonl not found above the current directory");
            return 1;
        }

        var reports = File.ReadLines(file).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => !(e.TryGetProperty("title_is_category_template", out var t) && t.ValueKind == JsonValueKind.True))
            .Select(e => new Report(e.GetProperty("title").GetString() ?? "", e.GetProperty("detail").GetString() ?? "",
                e.GetProperty("category_raw").GetString() ?? "", e.GetProperty("label").GetString() ?? ""))
            .Where(r => r.Title.Length > 0)
            .ToList();
        var random = new Random(10);
        var shuffled = reports.OrderBy(_ => random.Next()).ToList();
        if (shuffled.Count < pool + queries)
        {
            Console.Error.WriteLine($"only {shuffled.Count} usable reports");
            return 1;
        }

        var ideas = shuffled.Take(pool).ToList();
        var typed = shuffled.Skip(pool).Take(queries).ToList();
        var candidates = ideas.Select((r, n) => ((long)n, r.Title, r.Title + "\n" + r.Detail, 0)).ToList();

        double p5Fine = 0, p5Coarse = 0, shownFine = 0, shownCoarse = 0, baseFine = 0, baseCoarse = 0;
        int withAny = 0, shownTotal = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var q in typed)
        {
            var top = ChallengeService.Rank(candidates, q.Title, 5);
            var fine = top.Count(s => ideas[(int)s.Id].Category == q.Category);
            var coarse = top.Count(s => ideas[(int)s.Id].Group == q.Group);
            p5Fine += fine / 5.0;
            p5Coarse += coarse / 5.0;
            if (top.Count > 0)
            {
                withAny++;
                shownTotal += top.Count;
                shownFine += fine / (double)top.Count;
                shownCoarse += coarse / (double)top.Count;
            }

            var pick = Enumerable.Range(0, 5).Select(_ => ideas[random.Next(ideas.Count)]).ToList();
            baseFine += pick.Count(r => r.Category == q.Category) / 5.0;
            baseCoarse += pick.Count(r => r.Group == q.Group) / 5.0;
        }

        clock.Stop();
        Console.WriteLine($"similar-ideas: {pool} ideas (FixMyStreet reports, title + detail) × {queries} typed titles from {Path.GetFileName(file)}, " +
                          $"{reports.Select(r => r.Category).Distinct().Count()} categories, {reports.Select(r => r.Group).Distinct().Count()} service groups; " +
                          $"{clock.Elapsed.TotalMilliseconds / queries:0.00} ms a query; load average {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| Relevant when | P@5 | Precision of what was shown | Queries with a suggestion | Suggestions shown (mean) | Random 5 (baseline) P@5 | P@5 / baseline |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        string Row(string name, double p5, double shown, double baseline) => string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {p5 / queries:0.000} | {(withAny == 0 ? 0 : shown / withAny):0.000} | {withAny} of {queries} | {(withAny == 0 ? 0 : shownTotal / (double)withAny):0.0} | {baseline / queries:0.000} | {p5 / Math.Max(baseline, 1e-9):0.0} |");
        Console.WriteLine(Row("same FixMyStreet category", p5Fine, shownFine, baseFine));
        Console.WriteLine(Row("same service group", p5Coarse, shownCoarse, baseCoarse));
        return 0;
    }

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("CIVICDESK_SHARED_DATA");
        if (env is { Length: > 0 })
        {
            var f = Path.Combine(env, "service_requests_fms", "test.jsonl");
            return File.Exists(f) ? f : null;
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "data"), Path.Combine(dir.FullName, "..", "shared", "data") })
            {
                var f = Path.Combine(candidate, "service_requests_fms", "test.jsonl");
                if (File.Exists(f))
                {
                    return Path.GetFullPath(f);
                }
            }
        }

        return null;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
