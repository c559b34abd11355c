using CivicDesk.Web.Data;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// A factory whose SQLite file (or PostgreSQL database) outlives it, in a data folder the test owns: the test arranges
/// data through it, disposes it, and then runs the real app as a child process on the same database.
/// </summary>
internal sealed class KeptDatabaseFactory(string dataDirectory, params (string Key, string Value)[] extra) : CivicDeskFactory
{
    public string KeptConnectionString => Provider == DatabaseProvider.Postgres ? ConnectionString : DataFeature.SqliteConnectionString(dataDirectory);

    /// <summary>The environment of a child process on the same database and data folder (data-protection keys included).</summary>
    public Dictionary<string, string> ChildEnvironment(params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["CIVICDESK_DATA_DIR"] = dataDirectory,
            ["Database__Provider"] = Provider.ToString(),
            ["Database__ConnectionString"] = KeptConnectionString,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return environment;
    }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("CIVICDESK_DATA_DIR", dataDirectory),
        new("Database:ConnectionString", KeptConnectionString),
        .. extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)),
    ];
}
