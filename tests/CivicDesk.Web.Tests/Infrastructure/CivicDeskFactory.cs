using CivicDesk.Web.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// The real app on a throw-away database: a temporary SQLite file, or, when ./test.sh runs the suite a second time
/// with CIVICDESK_TEST_PROVIDER=postgres, a fresh database on the local test PostgreSQL server.
/// </summary>
public class CivicDeskFactory : WebApplicationFactory<Program>
{
    public CivicDeskFactory()
    {
        DataDirectory = Directory.CreateTempSubdirectory("civicdesk-test-").FullName;
        if (Provider == DatabaseProvider.Postgres)
        {
            var admin = Environment.GetEnvironmentVariable("CIVICDESK_TEST_PG")
                ?? throw new InvalidOperationException("CIVICDESK_TEST_PG must name the test PostgreSQL server.");
            var name = "civicdesk_test_" + Guid.NewGuid().ToString("N")[..16];
            using (var conn = new NpgsqlConnection(admin))
            {
                conn.Open();
                using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
                cmd.ExecuteNonQuery();
            }

            ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        }
        else
        {
            ConnectionString = DataFeature.SqliteConnectionString(DataDirectory);
        }
    }

    public static DatabaseProvider Provider =>
        string.Equals(Environment.GetEnvironmentVariable("CIVICDESK_TEST_PROVIDER"), "postgres", StringComparison.OrdinalIgnoreCase)
            ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;

    public string DataDirectory { get; }
    public string ConnectionString { get; }

    /// <summary>Extra settings a test class wants (e.g. Demo:Enabled).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("CIVICDESK_DATA_DIR", DataDirectory);
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("Database:ConnectionString", ConnectionString);
        // TEST-ONLY allowance: the fake networks and receivers listen on http://127.0.0.1. The SSRF tests turn it off.
        builder.UseSetting("OutboundHttp:AllowLoopback", "true");
        builder.UseSetting("OutboundHttp:AllowHttp", "true");
        // The daily audience job would read the fake networks other tests count requests on; audience tests run it themselves.
        builder.UseSetting("Audience:Worker", "false");
        // Tests expect the workers from the first moment; the production delay (BackgroundWorkerOptions) only helps a start.
        builder.UseSetting("BackgroundWorkers:StartDelaySeconds", "0");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A scope whose organisation is set, for arranging and asserting directly against the database.</summary>
    public AsyncServiceScope ScopeFor(long? organisationId)
    {
        var scope = Services.CreateAsyncScope();
        if (organisationId is { } org)
        {
            scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(org);
        }

        return scope;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
