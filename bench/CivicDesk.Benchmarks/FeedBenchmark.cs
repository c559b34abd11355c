using System.Diagnostics;
using System.Globalization;
using System.Xml;
using CivicDesk.Web.Features.Connectors.Rss;

namespace CivicDesk.Benchmarks;

/// <summary>
/// RSS/Atom parser throughput on one thread over every XML file of the gofeed corpus
/// (shared/data/payloads/rss/gofeed-testdata), against a baseline in the same run: a plain XmlReader read-through of the
/// same bytes (no tree, no fields), the least any XML-based parser must do.
/// <code>dotnet run -c Release --project bench/CivicDesk.Benchmarks -- feeds [--seconds 5]</code>
/// </summary>
public static class FeedBenchmark
{
    public static int Run(string[] args)
    {
        var seconds = args.Length == 2 && args[0] == "--seconds" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var folder = Find();
        if (folder is null)
        {
            Console.Error.WriteLine("shared/data/payloads/rss/gofeed-testdata not found above the current directory.");
            return 2;
        }

        var files = Directory.EnumerateFiles(folder, "*.xml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        var bytes = files.Sum(f => (long)f.Length);
        var items = files.Sum(f => FeedParser.TryParse(f, out var feed, out _) ? feed!.Items.Count : 0);
        Console.WriteLine($"corpus: {files.Length} files, {bytes:N0} bytes, {items} items");

        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, CheckCharacters = false, IgnoreComments = true };
        var baseline = Measure(seconds, () =>
        {
            var nodes = 0;
            foreach (var f in files)
            {
                try
                {
                    using var reader = XmlReader.Create(new MemoryStream(f, false), settings);
                    while (reader.Read())
                    {
                        nodes++;
                    }
                }
                catch (XmlException)
                {
                    // Malformed files cost their read-through up to the error, as in the parser.
                }
            }

            return nodes;
        });
        var parser = Measure(seconds, () =>
        {
            var n = 0;
            foreach (var f in files)
            {
                n += FeedParser.TryParse(f, out var feed, out _) ? feed!.Items.Count : 0;
            }

            return n;
        });

        Console.WriteLine($"{"",-28} {"feeds/s",12} {"items/s",12} {"MB/s",8}");
        Print("XmlReader read-through", baseline, files.Length, items, bytes);
        Print("FeedParser (CivicDesk)", parser, files.Length, items, bytes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio FeedParser / read-through: {baseline.TotalSeconds / parser.TotalSeconds * (parser.Passes / (double)baseline.Passes):0.00}"));
        return 0;
    }

    private static (int Passes, double TotalSeconds) Measure(double seconds, Func<int> pass)
    {
        for (var i = 0; i < 3; i++)
        {
            pass();
        }

        var watch = Stopwatch.StartNew();
        var passes = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            pass();
            passes++;
        }

        return (passes, watch.Elapsed.TotalSeconds);
    }

    private static void Print(string name, (int Passes, double TotalSeconds) m, int files, int items, long bytes) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-28} {m.Passes * files / m.TotalSeconds,12:N0} {m.Passes * items / m.TotalSeconds,12:N0} {m.Passes * bytes / m.TotalSeconds / 1e6,8:0.0}"));

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "data", "payloads", "rss", "gofeed-testdata");
            if (Directory.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
