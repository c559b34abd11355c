using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors.Rss;

/// <summary>gofeed's parser test files (shared/data/payloads/rss/gofeed-testdata, see its README; <see cref="SharedData"/>).</summary>
internal static class RssCorpus
{
    public const string Data = "payloads/rss/gofeed-testdata";

    public static readonly string? Folder = SharedData.Find(Data);

    public static IEnumerable<string> XmlFiles() =>
        Folder is null ? [] : Directory.EnumerateFiles(Folder, "*.xml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    public static string Relative(string path) => Path.GetRelativePath(Folder!, path);
}
