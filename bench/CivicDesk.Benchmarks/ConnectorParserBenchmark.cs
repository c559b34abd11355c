using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Features.Connectors.Facebook;
using CivicDesk.Web.Features.Connectors.Mastodon;
using CivicDesk.Web.Features.Connectors.X;

namespace CivicDesk.Benchmarks;

/// <summary>
/// Events per second each inbound connector parser handles on one thread over the genuine payload corpus
/// (shared/data/payloads/mastodon and /x), against <c>JsonDocument.Parse</c> of the same bytes timed in the same run.
/// Mastodon: every SSE event of streaming_sse_examples.txt (parse, HTML to text, map to InboundPost) and the same
/// with the SSE framing read too. X: every docs block and tweepy cassette body as one stream line (parse, expand,
/// map every post). Usage: connectors [--payloads DIR] [--seconds S] [--rounds N] [--pin]
/// </summary>
public static class ConnectorParserBenchmark
{
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var folder = Value(args, "--payloads") ?? FindPayloads();
        if (folder is null)
        {
            Console.Error.WriteLine("Need --payloads (shared/data/payloads) or CIVICDESK_SHARED_DATA, or run from below a folder holding shared/data.");
            return 2;
        }

        var seconds = double.Parse(Value(args, "--seconds") ?? "1", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Value(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        if (args.Contains("--pin") && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            Process.GetCurrentProcess().ProcessorAffinity = 1;
        }

        var sseText = File.ReadAllText(Path.Combine(folder, "mastodon", "streaming_sse_examples.txt")) + "\n\n";
        // filters_changed carries "data: undefined" (not JSON): left out of both sides so they read the same events.
        var sse = ReadSse(sseText).Where(e => e.Data != "undefined").ToList();
        var sseBytes = sse.Select(e => Encoding.UTF8.GetBytes(e.Data)).ToArray();
        var xLines = Directory.GetFiles(Path.Combine(folder, "x"), "*__block*.json")
            .Select(f => JsonSerializer.Serialize(JsonDocument.Parse(File.ReadAllText(f)).RootElement))
            .Concat(Directory.GetFiles(Path.Combine(folder, "x", "tweepy-cassettes"), "*.json")
                .Select(f => JsonSerializer.Serialize(JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("body"))))
            .Select(Encoding.UTF8.GetBytes).ToArray();
        // Facebook: every restfb webhook body (files that are not page/user webhooks are skipped by both sides alike).
        var fbBodies = Directory.GetFiles(Path.Combine(folder, "facebook", "restfb-webhooks"), "*.json").Select(File.ReadAllText).ToArray();
        var fbBytes = fbBodies.Select(Encoding.UTF8.GetBytes).ToArray();
        var xPosts = xLines.Sum(l => XPayloads.Read(l).Posts.Count + XPayloads.Read(l).Edits.Count);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Mastodon: {sse.Count} SSE events, {sseBytes.Sum(b => (long)b.Length):N0} bytes of data; X: {xLines.Length} payloads, {xPosts} posts, {xLines.Sum(l => (long)l.Length):N0} bytes"));
        Console.WriteLine($"runtime {Environment.Version}, {Environment.ProcessorCount} logical CPUs, pinned {args.Contains("--pin")}, {rounds} rounds of {seconds} s");

        var checksum = 0L;
        var cases = new (string Name, int EventsPerPass, Action Pass)[]
        {
            ("Mastodon baseline: JsonDocument.Parse of each event's data", sse.Count, () =>
            {
                foreach (var bytes in sseBytes)
                {
                    using var document = JsonDocument.Parse(bytes);
                    checksum += (int)document.RootElement.ValueKind;
                }
            }),
            ("Mastodon parser: MastodonEvents.Parse + ToInboundPost", sse.Count, () =>
            {
                foreach (var e in sse)
                {
                    var parsed = MastodonEvents.Parse(e.Event, e.Data);
                    checksum += parsed is MastodonPostEvent post ? MastodonEvents.ToInboundPost(post.Status, post.RawJson).Text.Length : 1;
                }
            }),
            ("Mastodon stream: SSE framing + parse + ToInboundPost", sse.Count, () =>
            {
                foreach (var e in ReadSse(sseText))
                {
                    if (e.Data == "undefined")
                    {
                        continue;
                    }

                    var parsed = MastodonEvents.Parse(e.Event, e.Data);
                    checksum += parsed is MastodonPostEvent post ? MastodonEvents.ToInboundPost(post.Status, post.RawJson).Text.Length : 1;
                }
            }),
            ("X baseline: JsonDocument.Parse of each payload", xLines.Length, () =>
            {
                foreach (var line in xLines)
                {
                    using var document = JsonDocument.Parse(line);
                    checksum += (int)document.RootElement.ValueKind;
                }
            }),
            ("X parser: XPayloads.Read (posts mapped to InboundPost)", xLines.Length, () =>
            {
                foreach (var line in xLines)
                {
                    checksum += XPayloads.Read(line).Posts.Count;
                }
            }),
            ("Facebook baseline: JsonDocument.Parse of each webhook body", fbBodies.Length, () =>
            {
                foreach (var bytes in fbBytes)
                {
                    using var document = JsonDocument.Parse(bytes);
                    checksum += (int)document.RootElement.ValueKind;
                }
            }),
            ("Facebook parser: FacebookWebhookParser.Parse", fbBodies.Length, () =>
            {
                foreach (var body in fbBodies)
                {
                    checksum += FacebookWebhookParser.Parse(body).Events.Count;
                }
            }),
        };

        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, events, pass) in cases)
        {
            pass(); // warm-up: JIT and tiering
            var rates = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                var passes = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    pass();
                    passes++;
                }

                rates.Add(passes * (double)events / clock.Elapsed.TotalSeconds);
            }

            rates.Sort();
            results[name] = rates[rates.Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-60} median {rates[rates.Count / 2],12:N0} events/s   best {rates[^1],12:N0}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio Mastodon parser / JsonDocument.Parse: {results[cases[1].Name] / results[cases[0].Name]:F2}; with SSE framing: {results[cases[2].Name] / results[cases[0].Name]:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio X parser / JsonDocument.Parse: {results[cases[4].Name] / results[cases[3].Name]:F2}; X posts/s (median): {results[cases[4].Name] * xPosts / xLines.Length:N0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio Facebook parser / JsonDocument.Parse: {results[cases[6].Name] / results[cases[5].Name]:F2} ({fbBodies.Length} webhook bodies)"));
        Console.WriteLine($"(checksum {checksum})");
        return 0;
    }

    private static List<ServerSentEvent> ReadSse(string text)
    {
        var list = new List<ServerSentEvent>();
        var enumerator = new ServerSentEventReader(new StringReader(text)).ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        try
        {
            // StringReader completes synchronously, so this does not block on I/O.
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                list.Add(enumerator.Current);
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return list;
    }

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
