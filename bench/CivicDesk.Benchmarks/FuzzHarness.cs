using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Features.Connectors.Bluesky;
using CivicDesk.Web.Features.Connectors.Facebook;
using CivicDesk.Web.Features.Connectors.Mastodon;
using CivicDesk.Web.Features.Connectors.Rss;
using CivicDesk.Web.Features.Connectors.X;

namespace CivicDesk.Benchmarks;

/// <summary>
/// In-process mutation fuzzer over genuine payloads (AFL is not installed, so SharpFuzz is no use here).
/// <code>dotnet run -c Release --project bench/CivicDesk.Benchmarks -- fuzz [--seconds N] [--target NAME] [--seed N] [--payloads DIR]</code>
/// A crash is any exception other than the parser's documented bad-input answer, or one input running past
/// <see cref="PerInputTimeout"/>. Crashes are deduplicated by exception type + top frame; each gets a reproducer file.
/// </summary>
public static class FuzzHarness
{
    private static readonly TimeSpan PerInputTimeout = TimeSpan.FromSeconds(5);

    private static readonly string[] PublicStream = ["public"];

    private sealed record Target(string Name, byte[][] Seeds, Action<byte[]> Run, Func<Exception, bool> IsBadInput);

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var folder = Value(args, "--payloads") ?? FindPayloads();
        if (folder is null)
        {
            Console.Error.WriteLine("Need --payloads (shared/data/payloads) or CIVICDESK_SHARED_DATA, or run from below a folder holding shared/data.");
            return 2;
        }

        var seconds = double.Parse(Value(args, "--seconds") ?? "15", CultureInfo.InvariantCulture);
        var seed = int.Parse(Value(args, "--seed") ?? "1", CultureInfo.InvariantCulture);
        var only = Value(args, "--target");
        var outDir = Path.Combine(Path.GetTempPath(), "civicdesk-fuzz-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(outDir);

        var targets = Targets(folder).Where(t => only is null || t.Name == only).ToList();
        if (targets.Count == 0)
        {
            Console.Error.WriteLine($"Unknown target '{only}'. Targets: {string.Join(", ", Targets(folder).Select(t => t.Name))}");
            return 2;
        }

        Console.WriteLine($"runtime {Environment.Version}, {Environment.ProcessorCount} CPUs, load average {LoadAverage()}, {seconds} s per target, seed {seed}, reproducers in {outDir}");
        var totalCrashes = 0;
        foreach (var target in targets)
        {
            var random = new Random(seed);
            var crashes = new Dictionary<string, string>(StringComparer.Ordinal);
            var tried = 0L;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                var input = Mutator.Mutate(target.Seeds[random.Next(target.Seeds.Length)], target.Seeds, random);
                tried++;
                var started = Stopwatch.GetTimestamp();
                string? signature = null;
                try
                {
                    target.Run(input);
                }
                catch (Exception e) when (!target.IsBadInput(e))
                {
                    var frame = new StackTrace(e, false).GetFrames().FirstOrDefault(f => f.GetMethod() is not null)?.GetMethod();
                    signature = $"{e.GetType().Name} at {frame?.DeclaringType?.Name}.{frame?.Name}";
                }
                catch (Exception)
                {
                    // The documented bad-input answer.
                }

                if (signature is null && Stopwatch.GetElapsedTime(started) > PerInputTimeout)
                {
                    signature = $"hang over {PerInputTimeout.TotalSeconds:0} s";
                }

                if (signature is not null && !crashes.ContainsKey(signature))
                {
                    var file = Path.Combine(outDir, $"{target.Name}-{crashes.Count + 1}.bin");
                    File.WriteAllBytes(file, input);
                    crashes[signature] = file;
                }
            }

            totalCrashes += crashes.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Name,-10} {tried,10:N0} inputs {tried / clock.Elapsed.TotalSeconds,10:N0}/s  {crashes.Count} distinct crash(es)  ({target.Seeds.Length} seeds)"));
            foreach (var (signature, file) in crashes)
            {
                Console.WriteLine($"    {signature}  -> {file}");
            }
        }

        Console.WriteLine($"load average after: {LoadAverage()}");
        return totalCrashes == 0 ? 0 : 1;
    }

    private static IEnumerable<Target> Targets(string folder)
    {
        byte[][] Files(string dir, string pattern) =>
            Directory.Exists(dir) ? Directory.GetFiles(dir, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray() : [];
        byte[][] Lines(string file) => File.ReadAllLines(file).Where(l => l.Length > 0).Take(2000).Select(Encoding.UTF8.GetBytes).ToArray();
        static string Text(byte[] b) => Encoding.UTF8.GetString(b);

        yield return new("rss", Files(Path.Combine(folder, "rss"), "*.xml"),
            b => _ = FeedParser.TryParse(b, out _, out _), _ => false);
        yield return new("bluesky", Lines(Path.Combine(folder, "bluesky", "jetstream_golden_v1.jsonl")),
            b => _ = JetstreamParser.TryParse(b, null, out _, out _), _ => false);
        yield return new("mastodon",
            File.ReadAllLines(Path.Combine(folder, "mastodon", "streaming_websocket_examples.jsonl")).Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes)
                .Concat(Files(Path.Combine(folder, "mastodon"), "entity_Status_example.json")
                    .Select(s => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { stream = PublicStream, @event = "update", payload = Text(s) })))).ToArray(),
            b =>
            {
                if (MastodonEvents.ParseWebSocket(Text(b)) is MastodonPostEvent post)
                {
                    MastodonEvents.ToInboundPost(post.Status, post.RawJson);
                }
            },
            e => e is MastodonPayloadException);
        yield return new("x", Files(Path.Combine(folder, "x"), "*.json"),
            b => XPayloads.Read(b), e => e is XPayloadException);
        yield return new("facebook", Files(Path.Combine(folder, "facebook"), "*.json"),
            b => FacebookWebhookParser.Parse(Text(b)), e => e is FacebookPayloadException);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string? FindPayloads()
    {
        var configured = Environment.GetEnvironmentVariable("CIVICDESK_SHARED_DATA");
        if (!string.IsNullOrEmpty(configured) && Directory.Exists(Path.Combine(configured, "payloads")))
        {
            return Path.Combine(configured, "payloads");
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "payloads");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>Structure-blind mutations that real parsers trip over: flips, cuts, splices, boundary values, bad UTF-8, nesting.</summary>
public static class Mutator
{
    private static readonly byte[][] Tokens =
    [
        "-1"u8.ToArray(), "0"u8.ToArray(), "9223372036854775808"u8.ToArray(), "1e999"u8.ToArray(), "-0.0"u8.ToArray(),
        "null"u8.ToArray(), "\"\""u8.ToArray(), "[]"u8.ToArray(), "{}"u8.ToArray(), "\"\\ud800\""u8.ToArray(),
        "&amp;"u8.ToArray(), "&#0;"u8.ToArray(), "<![CDATA["u8.ToArray(), "]]>"u8.ToArray(), "&lt;script&gt;"u8.ToArray(),
        [0xC3], [0xFF, 0xFE], [0xED, 0xA0, 0x80], [0x00], "\r\n"u8.ToArray(), "9999-99-99T99:99:99Z"u8.ToArray(),
    ];

    public static byte[] Mutate(byte[] seed, byte[][] seeds, Random random)
    {
        var data = new List<byte>(seed);
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(9))
            {
                case 0 when data.Count > 0: // bit flip
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // truncate
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 2 when data.Count > 0: // duplicate a chunk
                    var len = Math.Min(data.Count - at, 1 + random.Next(64));
                    data.InsertRange(at, data.GetRange(at, len));
                    break;
                case 3: // splice from another seed
                    var other = seeds[random.Next(seeds.Length)];
                    if (other.Length > 0)
                    {
                        var from = random.Next(other.Length);
                        data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + random.Next(256))).ToArray());
                    }

                    break;
                case 4: // boundary token
                    data.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 5 when data.Count > 0: // delete a chunk
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                    break;
                case 6: // deep nesting
                    var depth = 100 + random.Next(5000);
                    var open = "[{<"[random.Next(3)];
                    data.InsertRange(at, Enumerable.Repeat(open == '<' ? "<a>"u8.ToArray() : [(byte)open], depth).SelectMany(x => x));
                    break;
                case 7: // huge repetition of a token (size/regex pressure)
                    var token = Tokens[random.Next(Tokens.Length)];
                    data.InsertRange(at, Enumerable.Repeat(token, 1000 + random.Next(20_000)).SelectMany(x => x));
                    break;
                default: // random byte
                    data.Insert(at, (byte)random.Next(256));
                    break;
            }
        }

        return [.. data];
    }
}
