using CivicDesk.Web.Tests.Ingestion;
using Microsoft.Data.Sqlite;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// A process killed while it migrated a SQLite database leaves EF Core's lock row in <c>__EFMigrationsLock</c>; before
/// SqliteMigrationGate every later start waited for that row for ever without a word (found when a killed benchmark
/// start made the next one hang for an hour). SQLite on purpose in both suite runs: PostgreSQL's lock ends with the
/// holder's connection.
/// </summary>
public sealed class MigrationLockTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("civicdesk-migration-lock-").FullName;

    [Fact]
    public async Task A_lock_left_by_a_killed_migration_does_not_stop_the_next_start()
    {
        var environment = new Dictionary<string, string>
        {
            ["CIVICDESK_DATA_DIR"] = _dataDirectory,
            ["Database__Provider"] = "Sqlite",
            ["Demo__Enabled"] = "false",
        };
        await using (var first = await WebAppProcess.StartAsync(environment, TimeSpan.FromMinutes(2)))
        {
            await first.KillAsync();
        }

        // What a process killed between taking EF Core's lock and releasing it leaves behind.
        var database = Path.Combine(_dataDirectory, "civicdesk.db");
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-12-04 22:22:47+00:00')";
            (await insert.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        // Without the gate this start never listens (StartAsync times out).
        await using (var second = await WebAppProcess.StartAsync(environment, TimeSpan.FromMinutes(2)))
        {
            second.Output.ShouldContain(line => line.Contains("Removed a migration lock left by a CivicDesk process", StringComparison.Ordinal));
            using var http = new HttpClient { BaseAddress = second.Address };
            (await http.GetAsync("/health")).IsSuccessStatusCode.ShouldBeTrue();
            await second.KillAsync();
        }

        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM \"__EFMigrationsLock\"";
            Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(0);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
