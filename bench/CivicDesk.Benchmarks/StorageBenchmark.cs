using System.Data.Common;
using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Demo;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CivicDesk.Benchmarks;

/// <summary>
/// Bytes a message costs on disk, and how fast <c>seed --synthetic</c> writes. Seeds N synthetic messages (with their
/// conversations and one case per ten messages) into a fresh, migrated database with <see cref="SyntheticSeeder"/>, then
/// prints the database size per message, split into the message text and raw payload (the part the target
/// excludes) and everything else (columns, indexes, conversations, cases), with the per-table sizes behind it.
/// Usage: storage [--messages N (default 200000)] [--provider sqlite|postgres]. Deletes what it made.
/// </summary>
public static class StorageBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var messages = 200_000L;
        var postgres = false;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--messages" when long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 20_000_000:
                    messages = n;
                    break;
                case "--provider" when args[i + 1] is "sqlite" or "postgres":
                    postgres = args[i + 1] == "postgres";
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown or invalid argument: {args[i]} {args[i + 1]}");
                    return 2;
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var ct = timeout.Token;
        var work = Directory.CreateTempSubdirectory("civicdesk-storage-").FullName;
        var admin = postgres
            ? Environment.GetEnvironmentVariable("CIVICDESK_BENCH_PG") ?? Environment.GetEnvironmentVariable("CIVICDESK_TEST_PG")
              ?? throw new InvalidOperationException("--provider postgres needs CIVICDESK_BENCH_PG.")
            : null;
        var database = "civicdesk_storage_" + Guid.NewGuid().ToString("N")[..10];
        var provider = postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        string connectionString;
        if (postgres)
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.ExecuteAsync($"CREATE DATABASE {database}");
            connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
        }
        else
        {
            connectionString = DataFeature.SqliteConnectionString(work);
        }

        try
        {
            var services = new ServiceCollection();
            services.AddSingleton(TimeProvider.System);
            services.AddScoped<OrganisationContext>();
            if (postgres)
            {
                services.AddDbContext<CivicDeskDb, PostgresCivicDeskDb>(o => o.UseNpgsql(connectionString));
            }
            else
            {
                services.AddDbContext<CivicDeskDb, SqliteCivicDeskDb>(o => o.UseSqlite(connectionString));
            }

            services.AddSingleton(new DbConnectionFactory(provider, connectionString));
            services.AddSingleton<SyntheticSeeder>();
            await using var root = services.BuildServiceProvider();
            await using (var scope = root.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
                if (!postgres)
                {
                    await db.Database.OpenConnectionAsync(ct);
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
                    await db.Database.CloseConnectionAsync();
                }

                await db.Database.MigrateAsync(ct);
            }

            Console.WriteLine($"storage benchmark: {provider}, {messages:N0} synthetic messages; load average before: {IngestBenchmark.LoadAverage()}");
            var result = await root.GetRequiredService<SyntheticSeeder>().SeedAsync(new SyntheticOptions(messages), null, ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed --synthetic: {result.Messages:N0} messages, {result.Conversations:N0} conversations, {result.Cases:N0} cases in {result.Elapsed.TotalSeconds:F1} s = {result.Messages / result.Elapsed.TotalSeconds:N0} messages/s; load average after: {IngestBenchmark.LoadAverage()}"));

            await using var c = await root.GetRequiredService<DbConnectionFactory>().OpenAsync(ct);
            var payload = await c.ExecuteScalarAsync<double>(postgres
                ? """SELECT SUM(octet_length("Text") + COALESCE(octet_length("RawPayload"), 0))::float8 FROM "Messages" """
                : """SELECT SUM(length(CAST("Text" AS BLOB)) + COALESCE(length(CAST("RawPayload" AS BLOB)), 0)) FROM "Messages" """);
            List<(string Name, long Bytes)> tables;
            long total;
            if (postgres)
            {
                tables = (await c.QueryAsync<(string, long)>("""
                    SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 8
                    """)).ToList();
                total = await c.ExecuteScalarAsync<long>("SELECT pg_database_size(current_database())");
            }
            else
            {
                await c.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE);");
                total = await c.ExecuteScalarAsync<long>("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
                tables = await TablesAsync(c);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"database {total / 1048576.0:N1} MB = {total / (double)result.Messages:N0} B per message; text + raw payload {payload / result.Messages:N0} B per message (the baseline); "
                + $"everything else {(total - payload) / result.Messages:N0} B per message (target <= 1,536)"));
            foreach (var (name, bytes) in tables)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-40} {bytes / 1048576.0,9:N1} MB  {bytes / (double)result.Messages,7:N0} B per message"));
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            if (postgres)
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }

            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Per table and index (dbstat, when this SQLite build has it), largest first.</summary>
    private static async Task<List<(string, long)>> TablesAsync(DbConnection c)
    {
        try
        {
            return (await c.QueryAsync<(string, long)>("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12")).ToList();
        }
        catch (SqliteException)
        {
            return [];
        }
    }
}
