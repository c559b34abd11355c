using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace CivicDesk.Cli;

/// <summary>The outcome of one replay: what was sent and what the instance said.</summary>
public sealed record ReplayResult(int Sent, int Accepted, int Duplicates, int Skipped, int Failed, TimeSpan Elapsed)
{
    public double Rate => Elapsed.TotalSeconds > 0 ? Sent / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// <c>civicdesk replay &lt;jsonl&gt; --rate N/s --channel X</c>: replays a dataset file (one JSON object a line with
/// <c>id</c>, <c>text</c> and optional <c>author</c>/<c>date</c>) as a live stream into a running instance through
/// <c>POST /api/v1/messages</c>, paced at the rate, in batches, until the end of the file or Ctrl+C.
/// </summary>
public static class ReplayCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var file = new Argument<FileInfo>("jsonl") { Description = "Dataset file: one JSON object a line with id, text and optional author, date." };
        var rate = new Option<string>("--rate") { Description = "Messages per second, e.g. 50/s.", DefaultValueFactory = _ => "10/s" };
        var channel = new Option<string>("--channel") { Description = "A name for this stream; prefixes external ids so replays of different files never collide.", DefaultValueFactory = _ => "replay" };
        var url = new Option<string?>("--url") { Description = "The instance's base URL (or CIVICDESK_URL), e.g. http://127.0.0.1:5000." };
        var key = new Option<string?>("--api-key") { Description = "The API channel's ingest key (or CIVICDESK_API_KEY)." };
        var batch = new Option<int>("--batch") { Description = "Messages per request (at most).", DefaultValueFactory = _ => 50 };
        var command = new Command("replay", "Replay a dataset file into a running instance as a live stream. Exit 1 when a batch was refused.")
        {
            file, rate, channel, url, key, batch,
        }.WithExamples(
            "civicdesk replay ../shared/data/complaints/dev.jsonl --rate 50/s --url http://127.0.0.1:5080 --api-key $CIVICDESK_DEMO_API_KEY",
            "CIVICDESK_URL=http://127.0.0.1:5080 CIVICDESK_API_KEY=cdk_... civicdesk replay posts.jsonl --rate 200/s --channel storm-night --batch 100");
        command.SetAction(async (parse, ct) =>
        {
            var baseUrl = parse.GetValue(url) ?? Environment.GetEnvironmentVariable("CIVICDESK_URL");
            var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("CIVICDESK_API_KEY");
            if (baseUrl is null || apiKey is null || !TryRate(parse.GetValue(rate)!, out var perSecond)
                || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                await Console.Error.WriteLineAsync("Give --url (an http(s) address) and --api-key (or CIVICDESK_URL, CIVICDESK_API_KEY) and a rate like --rate 50/s.");
                return CliExit.Usage;
            }

            var path = parse.GetValue(file)!.FullName;
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"No file {path}.");
                return CliExit.Usage;
            }

            using var http = new HttpClient { BaseAddress = address };
            var lines = File.ReadLines(path).Count(l => l.Trim().Length > 0);
            var result = await CliProgress.RunAsync($"replay {Path.GetFileName(path)}", lines, "messages", progress =>
                RunAsync(http, apiKey, path, perSecond, parse.GetValue(channel)!, Math.Clamp(parse.GetValue(batch), 1, 1000), Console.Out, TimeProvider.System, ct, progress));
            return result.Failed > 0 ? CliExit.Failed : CliExit.Success;
        });
        return command;
    }

    public static bool TryRate(string text, out double perSecond)
    {
        var number = text.Trim().EndsWith("/s", StringComparison.OrdinalIgnoreCase) ? text.Trim()[..^2] : text.Trim();
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out perSecond) && perSecond > 0;
    }

    /// <summary>Sends the file; cancelling stops after the batch in flight and still reports.</summary>
    public static async Task<ReplayResult> RunAsync(HttpClient http, string apiKey, string path, double perSecond, string channel, int batchSize,
        TextWriter output, TimeProvider clock, CancellationToken ct, CliProgressReporter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(output);
        // Small batches at high rates, at most one second's worth at low ones, so pacing stays smooth.
        var size = (int)Math.Clamp(Math.Min(batchSize, Math.Ceiling(perSecond)), 1, 1000);
        int sent = 0, accepted = 0, duplicates = 0, skipped = 0, failed = 0, read = 0;
        var started = clock.GetTimestamp();
        var batch = new List<object>(size);
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                ct.ThrowIfCancellationRequested();
                read += line.Trim().Length == 0 ? 0 : 1;
                if (Parse(line, channel) is not { } message)
                {
                    skipped += line.Trim().Length == 0 ? 0 : 1;
                    continue;
                }

                batch.Add(message);
                if (batch.Count == size)
                {
                    await FlushAsync();
                }
            }

            await FlushAsync();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C: report what was done.
        }

        var result = new ReplayResult(sent, accepted, duplicates, skipped, failed, clock.GetElapsedTime(started));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"sent {result.Sent}, accepted {result.Accepted}, duplicates {result.Duplicates}, skipped lines {result.Skipped}, failed {result.Failed}, {result.Rate:0.0}/s over {result.Elapsed.TotalSeconds:0.0} s"));
        return result;

        async Task FlushAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            // Pace: the batch goes out when the stream is due to have reached it.
            var due = TimeSpan.FromSeconds(sent / perSecond) - clock.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, clock, ct);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages") { Content = JsonContent.Create(new { messages = batch }, options: Json) };
            request.Headers.Add("X-Api-Key", apiKey);
            using var response = await http.SendAsync(request, ct);
            sent += batch.Count;
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync<Outcome>(Json, ct);
                accepted += body?.Accepted ?? 0;
                duplicates += body?.AlreadyKnown ?? 0;
            }
            else
            {
                failed += batch.Count;
                await output.WriteLineAsync($"batch of {batch.Count} refused: {(int)response.StatusCode}");
            }

            batch.Clear();
            progress?.Set(read);
        }
    }

    private static Dictionary<string, object?>? Parse(string line, string channel)
    {
        if (line.Trim().Length == 0)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var id = r.TryGetProperty("id", out var i) ? i.ValueKind == JsonValueKind.String ? i.GetString() : i.GetRawText() : null;
            var text = r.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            var author = r.TryGetProperty("author", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            var message = new Dictionary<string, object?>
            {
                ["externalId"] = $"{channel}:{id}", ["text"] = text, ["authorHandle"] = string.IsNullOrWhiteSpace(author) ? "@replay" : author,
            };
            if (r.TryGetProperty("date", out var d) && d.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(d.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                message["createdAt"] = at.UtcDateTime;
            }

            return message;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Outcome(int Accepted, int AlreadyKnown);
}
