using System.Text.Json;

namespace CivicDesk.Triage.Learning;

/// <summary>One labelled example from a dataset file.</summary>
/// <param name="Id">Row id.</param>
/// <param name="Text">The text.</param>
/// <param name="Label">The gold label.</param>
/// <param name="Domain">The complaints dataset's <c>domain</c> field (or null).</param>
public sealed record LabelledText(string Id, string Text, string Label, string? Domain = null);

/// <summary>
/// Reads the labelled datasets under <c>shared/data/&lt;task&gt;/{train,dev,test}.jsonl</c>
/// (one JSON object per line with <c>id</c>, <c>text</c>, <c>label</c>; other fields ignored).
/// </summary>
public static class TriageData
{
    /// <summary>Environment variable naming the data folder.</summary>
    public const string DataDirectoryVariable = "CIVICDESK_SHARED_DATA";

    /// <summary>
    /// The data folder: <paramref name="explicitDirectory"/> if given, else the environment variable
    /// <see cref="DataDirectoryVariable"/>, else the first <c>shared/data</c> found walking up from
    /// <paramref name="startDirectory"/> (default: the current directory). Null when none exists.
    /// </summary>
    /// <param name="explicitDirectory">A folder given on the command line.</param>
    /// <param name="startDirectory">Where to start walking up.</param>
    /// <returns>The folder, or null.</returns>
    public static string? FindDataDirectory(string? explicitDirectory = null, string? startDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            return Directory.Exists(explicitDirectory) ? Path.GetFullPath(explicitDirectory) : null;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(DataDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null;
        }

        for (var dir = new DirectoryInfo(startDirectory ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The path of a split file: <c>&lt;dataDirectory&gt;/&lt;task&gt;/&lt;split&gt;.jsonl</c>.</summary>
    /// <param name="dataDirectory">The data folder.</param>
    /// <param name="task">Task (folder) name.</param>
    /// <param name="split">train, dev or test.</param>
    /// <returns>The path.</returns>
    public static string SplitPath(string dataDirectory, string task, string split) => Path.Combine(dataDirectory, task, split + ".jsonl");

    /// <summary>Reads a JSON-lines file of labelled examples.</summary>
    /// <param name="path">The file.</param>
    /// <param name="limit">Read at most this many rows (the first ones).</param>
    /// <returns>The examples.</returns>
    /// <exception cref="InvalidDataException">A line lacks <c>text</c> or <c>label</c>.</exception>
    public static IReadOnlyList<LabelledText> ReadJsonl(string path, int limit = int.MaxValue)
    {
        var rows = new List<LabelledText>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (rows.Count >= limit)
            {
                break;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var text = root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var label = root.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
            if (text is null || label is null)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: each line needs string fields \"text\" and \"label\".");
            }

            var id = root.TryGetProperty("id", out var i) ? i.ToString() : lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var domain = root.TryGetProperty("domain", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            rows.Add(new LabelledText(id, text, label, domain));
        }

        return rows;
    }
}
