namespace CivicDesk.Web.Tests.Connectors.Rss;

/// <summary>gofeed's parser test files (shared/data/payloads/rss/gofeed-testdata, see its README), found walking up from the test binaries.</summary>
internal static class RssCorpus
{
    public static readonly string? Folder = Find();

    public static IEnumerable<string> XmlFiles() =>
        Folder is null ? [] : Directory.EnumerateFiles(Folder, "*.xml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    public static string Relative(string path) => Path.GetRelativePath(Folder!, path);

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
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

/// <summary>Skipped, with the reason shown, where the payload corpus is not on the machine.</summary>
public sealed class RssCorpusFactAttribute : FactAttribute
{
    public RssCorpusFactAttribute()
    {
        if (RssCorpus.Folder is null)
        {
            Skip = "shared/data/payloads/rss not found above the test binaries.";
        }
    }
}
