namespace CivicDesk.Web.Platform;

/// <summary>Where the SQLite file, data-protection keys and uploads live: CIVICDESK_DATA_DIR, else ./data.</summary>
public static class DataDirectory
{
    public static string Resolve(IConfiguration configuration)
    {
        var dir = configuration["CIVICDESK_DATA_DIR"] ?? configuration["DataDirectory"] ?? Path.Combine(Directory.GetCurrentDirectory(), "data");
        dir = Path.GetFullPath(dir);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
