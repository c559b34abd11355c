using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Features.Connectors.Bluesky;
using CivicDesk.Web.Features.Connectors.Facebook;
using CivicDesk.Web.Features.Connectors.Mastodon;
using CivicDesk.Web.Features.Connectors.Rss;
using CivicDesk.Web.Features.Connectors.X;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Features.Packs;
using CivicDesk.Web.Features.Participation;
using CivicDesk.Web.Features.Places;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace CivicDesk.Benchmarks;

/// <summary>
/// In-process mutation fuzzer over genuine payloads (AFL is not installed, so SharpFuzz is no use here).
/// <code>dotnet run -c Release --project bench/CivicDesk.Benchmarks -- fuzz [--seconds N | --inputs N] [--target NAME] [--seed N] [--payloads DIR]</code>
/// A crash is any exception other than the parser's documented bad-input answer, one input running past
/// <see cref="PerInputTimeout"/> (a hang: the target stops there, and the process exits when the run ends, taking the
/// stuck thread with it), or one input allocating more than <see cref="MaxBytesPerInput"/> (a memory bomb).
/// Crashes are deduplicated by exception type + top frame; each gets a reproducer file. The network parsers are
/// seeded with the genuine payloads in shared/data/payloads; CivicDesk's own formats (the ingest API body, Open311
/// form posts, gazetteer CSV, packs, GeoJSON) with documents written here in the shape the docs describe.
/// The test suite runs a fixed number of inputs per target with a fixed seed (FuzzSmokeTests), so it is repeatable.
/// </summary>
public static class FuzzHarness
{
    public static readonly TimeSpan PerInputTimeout = TimeSpan.FromSeconds(5);

    /// <summary>More than this allocated for one input is reported: every parser here refuses input over a few MB.</summary>
    public const long MaxBytesPerInput = 512L * 1024 * 1024;

    private static readonly string[] PublicStream = ["public"];

    public sealed record Target(string Name, byte[][] Seeds, Action<byte[]> Run, Func<Exception, bool> IsBadInput);

    /// <summary>What one target's run found: inputs tried, and each distinct crash with the input that caused it.</summary>
    public sealed record TargetResult(string Name, long Tried, TimeSpan Elapsed, IReadOnlyDictionary<string, byte[]> Crashes, bool Hung);

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
        long? inputs = Value(args, "--inputs") is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : null;
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

        var budget = inputs is { } count ? $"{count:N0} inputs per target" : $"{seconds} s per target";
        Console.WriteLine($"runtime {Environment.Version}, {Environment.ProcessorCount} CPUs, load average {LoadAverage()}, {budget}, seed {seed}, reproducers in {outDir}");
        var totalCrashes = 0;
        var hung = false;
        foreach (var target in targets)
        {
            var result = RunTarget(target, seed, inputs is null ? TimeSpan.FromSeconds(seconds) : null, inputs);
            totalCrashes += result.Crashes.Count;
            hung |= result.Hung;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Name,-10} {result.Tried,10:N0} inputs {result.Tried / Math.Max(result.Elapsed.TotalSeconds, 1e-9),10:N0}/s  {result.Crashes.Count} distinct crash(es)  ({target.Seeds.Length} seeds)"));
            var i = 0;
            foreach (var (signature, input) in result.Crashes)
            {
                var file = Path.Combine(outDir, $"{target.Name}-{++i}.bin");
                File.WriteAllBytes(file, input);
                Console.WriteLine($"    {signature}  -> {file}");
            }
        }

        Console.WriteLine($"load average after: {LoadAverage()}");
        if (hung)
        {
            // A hung parser thread cannot be stopped from outside; ending the process is the hard stop.
            Console.Out.Flush();
            Environment.Exit(1);
        }

        return totalCrashes == 0 ? 0 : 1;
    }

    /// <summary>
    /// Fuzzes one target for <paramref name="duration"/> or <paramref name="inputs"/> inputs (whichever is given), with
    /// a seeded generator, so the same seed and count try the same inputs on any machine.
    /// </summary>
    public static TargetResult RunTarget(Target target, int seed, TimeSpan? duration, long? inputs)
    {
        ArgumentNullException.ThrowIfNull(target);
        var random = new Random(seed);
        var crashes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var tried = 0L;
        var clock = Stopwatch.StartNew();
        using var worker = new FuzzWorker(target);
        while (inputs is { } most ? tried < most : clock.Elapsed < (duration ?? TimeSpan.FromSeconds(15)))
        {
            if (target.Seeds.Length == 0)
            {
                break;
            }

            var input = Mutator.Mutate(target.Seeds[random.Next(target.Seeds.Length)], target.Seeds, random);
            tried++;
            if (worker.Try(input, PerInputTimeout) is not { } outcome)
            {
                // The worker thread stays stuck in the parser; stop this target so stuck threads cannot pile up.
                crashes[$"hang over {PerInputTimeout.TotalSeconds:0} s"] = input;
                worker.Abandon();
                return new TargetResult(target.Name, tried, clock.Elapsed, crashes, Hung: true);
            }

            var signature = outcome.Signature;
            if (signature is null && outcome.Allocated > MaxBytesPerInput)
            {
                signature = $"allocated {outcome.Allocated / (1024 * 1024):N0} MB for one input";
            }

            if (signature is not null)
            {
                crashes.TryAdd(signature, input);
            }
        }

        return new TargetResult(target.Name, tried, clock.Elapsed, crashes, Hung: false);
    }

    public static IEnumerable<Target> Targets(string folder)
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
        foreach (var own in OwnFormatTargets())
        {
            yield return own;
        }
    }

    /// <summary>
    /// CivicDesk's own input formats. None of them may throw for any input: each answers bad input with a problem
    /// value (the ingest API's 400/413 problem, Open311's list of problems, the gazetteer's and the pack's error
    /// lists, GeoJSON's problem with the feature index), so IsBadInput accepts no exception at all.
    /// </summary>
    public static IEnumerable<Target> OwnFormatTargets()
    {
        static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
        static string Text(byte[] b) => Encoding.UTF8.GetString(b);

        var ingestLimits = new IngestionOptions();
        yield return new("ingest", [
            Utf8("""{"messages": [{"externalId": "1850000000000000001", "text": "Streetlight out on Mill Lane again", "authorHandle": "@resident", "authorName": "A Resident", "createdAt": "2026-11-21T08:15:00Z", "inReplyTo": null, "lat": 51.90, "lon": -2.07, "language": "en", "attachments": [{"url": "https://example.org/photo.jpg", "contentType": "image/jpeg", "fileName": "photo.jpg"}]}]}"""),
            Utf8("""{"messages": [{"externalId": "a1", "text": "Bins not collected on Church Street", "authorHandle": "@a"}, {"externalId": "a2", "text": "Thank you for fixing the light \ud83d\udc4d", "authorHandle": "@b", "inReplyTo": "a1"}]}"""),
            Utf8("""{"messages": []}"""),
        ], b => _ = IngestRequestReader.Read(b, ingestLimits), _ => false);

        var definition = new List<Open311ServiceAttribute>
        {
            new() { ServiceCode = "POT", Code = "depth", Description = "How deep?", Datatype = Open311Datatype.Number, Required = true },
            new() { ServiceCode = "POT", Code = "where", Description = "Where?", Datatype = Open311Datatype.SingleValueList,
                Values = [new("road", "Road"), new("pavement", "Pavement")] },
        };
        var open311Options = new Open311Options();
        var noQuery = new QueryCollection();
        yield return new("open311", [
            Utf8("service_code=POT&lat=51.9012&long=-2.0745&description=Deep+pothole+outside+no.+12&first_name=Ann&last_name=Lee&email=ann%40example.org&attribute%5Bdepth%5D=12&attribute%5Bwhere%5D=road&media_url=https%3A%2F%2Fexample.org%2Fp.jpg"),
            Utf8("service_code=POT&address_string=12+Mill+Lane&address_id=%23NOTPINPOINTED%23&description=x&device_id=abc&account_id=7"),
            Utf8("start_date=2026-11-01T00%3A00%3A00Z&end_date=2026-11-30T00%3A00%3A00Z&status=open,closed&service_code=POT"),
            Utf8("service_request_id=1234&update_id=99&status=CLOSED&description=Fixed&updated_datetime=2026-11-21T10%3A00%3A00%2B01%3A00&media_url=https%3A%2F%2Fexample.org%2Fa.jpg"),
        ], b =>
        {
            var p = new Open311Parameters(new FormCollection(QueryHelpers.ParseQuery(Text(b))), noQuery);
            _ = Open311RequestValidator.Validate(p, 1, "fuzz", p["service_code"] ?? "POT", definition);
            _ = Open311RequestValidator.Query(p, new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), open311Options);
            _ = Open311RequestValidator.Update(p, 1, "fuzz");
        }, _ => false);

        yield return new("gazetteer", [
            Utf8("name,locality,lat,lon\r\nMill Lane,Charlton Kings,51.8862,-2.0474\r\n\"Church Street, East\",Town centre,51.9001,-2.0781\r\n"),
            Utf8("Name;Locality;Latitude;Longitude\nHigh Street;;51.9;-2.07\n"),
            Utf8("name,lat,lng\n\"Quoted \"\"name\"\"\",51.90,-2.08\nSt. Mary's Road,51.91,-2.09\n"),
        ], b => _ = GazetteerCsv.Read(new StringReader(Text(b))), _ => false);

        yield return new("pack", [
            Utf8("""{"format": "civicdesk-pack", "version": 1, "name": "Highways starter", "description": "Rules and replies", "from": "Anytown Council", "exportedAt": "2026-11-30T12:00:00Z", "routingRules": [{"name": "Potholes", "position": 1, "enabled": true, "keywords": "pothole, road surface", "pattern": null, "kind": null, "category": "highways_road_surface", "sentiment": null, "channelKind": null, "placeContains": null, "urgentOnly": false, "team": "Highways", "setPriority": "High"}], "replyTemplates": [{"name": "Thanks", "body": "Thank you, {{first_name}}. We have logged it.", "team": null}], "listeningSearches": [{"name": "Floods", "terms": "flood, flooding", "match": "Any", "enabled": true, "public": true, "privateReason": null, "purpose": "Flood warnings", "legalBasis": "Public task"}], "slaPolicies": [{"team": "Highways", "serviceCode": null, "priority": "High", "firstResponseHours": 4, "resolutionHours": 48}], "retentionPolicies": [{"dataClass": "ListeningOnly", "periodDays": 90, "action": "Delete", "enabled": true}]}"""),
            Utf8("""{"format": "civicdesk-pack", "version": 1, "name": "Empty", "exportedAt": "2026-11-30T12:00:00Z"}"""),
        ], b => _ = PackService.Parse(Text(b)), _ => false);

        yield return new("geojson", [
            Utf8("""{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "ditch-1", "geometry": {"type": "LineString", "coordinates": [[-3.2101, 56.4102], [-3.2087, 56.4111], [-3.2065, 56.4120]]}, "properties": {"name": "Old drain", "condition": "blocked"}}, {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-3.2, 56.41]}, "properties": {"note": "culvert"}}]}"""),
            Utf8("""{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}, "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [312345, 723456]}, "properties": {}}]}"""),
            Utf8("""{"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": [[[-3.21, 56.41], [-3.22, 56.42]]]}, "properties": null}"""),
        ], b =>
        {
            _ = MapGeoJson.ReadAsync(new MemoryStream(b), MapGeometryKind.Point, CancellationToken.None).GetAwaiter().GetResult();
            _ = MapGeoJson.ReadAsync(new MemoryStream(b), MapGeometryKind.Line, CancellationToken.None).GetAwaiter().GetResult();
            _ = MapGeoJson.ReadAsync(new MemoryStream(b), MapGeometryKind.Polygon, CancellationToken.None).GetAwaiter().GetResult();
        }, _ => false);
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

/// <summary>
/// Runs a target's inputs one at a time on its own background thread, so the fuzzer can wait with a time limit (a
/// hang is seen, not suffered) and count what each input allocated on that thread, without a thread per input.
/// </summary>
internal sealed class FuzzWorker : IDisposable
{
    public readonly record struct Outcome(string? Signature, long Allocated);

    private readonly FuzzHarness.Target _target;
    private readonly SemaphoreSlim _ready = new(0);
    private readonly SemaphoreSlim _done = new(0);
    private readonly Thread _thread;
    private byte[] _input = [];
    private Outcome _outcome;
    private volatile bool _stop;
    private bool _abandoned;

    public FuzzWorker(FuzzHarness.Target target)
    {
        _target = target;
        _thread = new Thread(Loop) { IsBackground = true, Name = "fuzz " + target.Name };
        _thread.Start();
    }

    /// <summary>The input's outcome, or null when it ran past <paramref name="timeout"/>.</summary>
    public Outcome? Try(byte[] input, TimeSpan timeout)
    {
        _input = input;
        _ready.Release();
        return _done.Wait(timeout) ? _outcome : null;
    }

    /// <summary>After a hang: leave the stuck thread (a background thread: it dies with the process) and its semaphores alone.</summary>
    public void Abandon() => _abandoned = true;

    private void Loop()
    {
        while (true)
        {
            _ready.Wait();
            if (_stop)
            {
                return;
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            string? signature = null;
            try
            {
                _target.Run(_input);
            }
            catch (Exception e) when (!_target.IsBadInput(e))
            {
                var frame = new StackTrace(e, false).GetFrames().FirstOrDefault(f => f.GetMethod() is not null)?.GetMethod();
                signature = $"{e.GetType().Name} at {frame?.DeclaringType?.Name}.{frame?.Name}";
            }
            catch (Exception)
            {
                // The documented bad-input answer.
            }

            _outcome = new Outcome(signature, GC.GetAllocatedBytesForCurrentThread() - before);
            _done.Release();
        }
    }

    public void Dispose()
    {
        if (_abandoned)
        {
            return;
        }

        _stop = true;
        _ready.Release();
        _thread.Join();
        _ready.Dispose();
        _done.Dispose();
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
