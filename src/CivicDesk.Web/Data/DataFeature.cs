using CivicDesk.Web.Platform;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using System.Reflection;

namespace CivicDesk.Web.Data;

public static class DataFeature
{
    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.ConnectionString ??= builder.Configuration.GetConnectionString("CivicDesk");
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .PostConfigure(o => o.ConnectionString ??= options.ConnectionString).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<OrganisationContext>();
        builder.Services.AddOptions<ReferenceDataOptions>().BindConfiguration(ReferenceDataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ReferenceData>();
        builder.Services.AddSingleton<ReferenceDataEviction>();

        if (options.Provider == DatabaseProvider.Postgres)
        {
            var cs = options.ConnectionString
                ?? throw new InvalidOperationException("Database:Provider is Postgres but no connection string was given (set ConnectionStrings__CivicDesk).");
            builder.Services.AddDbContext<CivicDeskDb, PostgresCivicDeskDb>((sp, o) => o.UseNpgsql(cs).SkipStartupModelDiff().AddPublicPageEviction(sp).AddInterceptors(sp.GetRequiredService<ReferenceDataEviction>()).AddInterceptors(sp.GetServices<IInterceptor>()));
            builder.Services.AddSingleton(new DbConnectionFactory(DatabaseProvider.Postgres, cs));
        }
        else
        {
            var cs = options.ConnectionString ?? SqliteConnectionString(DataDirectory.Resolve(builder.Configuration));
            builder.Services.AddDbContext<CivicDeskDb, SqliteCivicDeskDb>((sp, o) => o.UseSqlite(cs).SkipStartupModelDiff().AddPublicPageEviction(sp).AddInterceptors(sp.GetRequiredService<ReferenceDataEviction>()).AddInterceptors(sp.GetServices<IInterceptor>()));
            builder.Services.AddSingleton(new DbConnectionFactory(DatabaseProvider.Sqlite, cs));
        }

        builder.Services.AddSingleton<SqliteCheckpointer>();
        builder.Services.AddHealthChecks().AddDbContextCheck<CivicDeskDb>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Before it applies anything, Migrate builds the newest migration's model snapshot (a 5,700-line method to compile)
    /// and diffs it against the model, only to log PendingModelChangesWarning: 0.35–0.5 CPU s of every start
    /// (bench startup-model). A model changed without its migration is caught before it ships by
    /// SmokeTests (HasPendingModelChanges), so a start need not check it again.
    /// </summary>
    private static DbContextOptionsBuilder SkipStartupModelDiff(this DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    public static string SqliteConnectionString(string dataDirectory) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(dataDirectory, "civicdesk.db"),
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>
    /// Applies migrations (and WAL on SQLite) before any worker starts, and re-installs the triggers; returns the
    /// migrations it applied. A database that already has every migration of this build is not handed to EF Core's
    /// Migrate at all: that would build the model on this thread first, then read the history and take the migration
    /// lock, to find nothing to do (1.1 CPU s of a 2.7 CPU s warm start, bench startup profile, session 17). Which
    /// migrations this build has is read from their attributes, as EF Core does; which the database has, from its
    /// history table on a plain connection.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MigrateDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DataFeature));
        await using var connection = await SchemaConnection.OpenAsync(services.GetRequiredService<DbConnectionFactory>(), ct);
        using var gate = connection.Provider == DatabaseProvider.Sqlite
            ? await SqliteMigrationGate.EnterAsync(connection, services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SqliteMigrationGate)), ct)
            : null;
        if (connection.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers (the inbox) run while the ingest worker writes; the setting persists in the file.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL;", ct);
        }

        var pending = await PendingMigrationsAsync(connection, ct);
        if (pending.Count > 0)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Database.MigrateAsync(ct);
            logger.LogInformation("Applied {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
        }

        await AggregateTriggers.InstallAsync(connection, ct);
        await NeedsHumanTriggers.InstallAsync(connection, ct);
        await SearchIndexes.EnsureAsync(connection, ct);
        await AnalyseNewIndexesAsync(connection, ct);
        return pending;
    }

    /// <summary>
    /// The migrations of this build (for the connection's provider) that the database's history does not list, oldest
    /// first; all of them for a database without a history. Every id is compared, not only the newest: branches merged
    /// out of order add a migration older than one already applied, and Migrate applies it.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> PendingMigrationsAsync(SchemaConnection connection, CancellationToken ct)
    {
        var known = BuildMigrations(connection.Provider);
        var hasHistory = await connection.ScalarAsync(connection.Provider == DatabaseProvider.Postgres
            ? "SELECT CASE WHEN to_regclass('\"__EFMigrationsHistory\"') IS NULL THEN 0 ELSE 1 END"
            : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'", ct) > 0;
        if (!hasHistory)
        {
            return known;
        }

        var applied = (await connection.StringsAsync("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"", ct)).ToHashSet(StringComparer.Ordinal);
        return known.Where(id => !applied.Contains(id)).ToList();
    }

    /// <summary>This build's migrations for a provider, oldest first: what EF Core's Database.GetMigrations() lists.</summary>
    internal static IReadOnlyList<string> BuildMigrations(DatabaseProvider provider)
    {
        var context = provider == DatabaseProvider.Postgres ? typeof(PostgresCivicDeskDb) : typeof(SqliteCivicDeskDb);
        return typeof(CivicDeskDb).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Migration)) && !t.IsAbstract
                        && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == context)
            .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Builds EF Core's model on a thread-pool thread while the start goes on: it is the largest single piece of a warm
    /// start (0.7 of 2.7 CPU s, bench startup profile) and needs nothing from the database, so on two cores it runs
    /// beside the host's set-up instead of before the first request. It is built through the app's own DbContext
    /// registration, so EF Core caches it in the same internal service provider the requests use (built once: EF
    /// holds a lock while it builds, and a request that needs it meanwhile waits for it rather than building another).
    /// </summary>
    public static Task BuildModelInBackground(this IServiceProvider services) => Task.Run(() =>
    {
        try
        {
            using var scope = services.CreateScope();
            _ = scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Model;
        }
        catch (ObjectDisposedException)
        {
            // The host was stopped (a test's) before the model was needed.
        }
        catch (Exception e)
        {
            // Not fatal here: the first request that needs the model builds it again and reports the error there.
            services.GetService<ILoggerFactory>()?.CreateLogger(typeof(DataFeature)).LogWarning(e, "Building the database model in the background failed");
        }
    });

    /// <summary>
    /// SQLite: statistics for indexes a migration added to a table that has statistics already. Without them the planner
    /// trusts the analysed indexes over the new ones: at 1 M messages the inbox's filter indexes (InboxFilterIndexes) lost
    /// to the status index and each filtered count took 0.2–1.5 s instead of a millisecond (bench inbox --sql). A table
    /// never analysed is left alone (the planner then weighs every index alike). A full ANALYZE, not a sample: with
    /// analysis_limit = 1000 every index of Conversations read as "1,001 rows per key" and plans got worse (kind filter
    /// 3.5 s); the whole table took 2.6 s at 444,573 conversations, once per migration.
    /// </summary>
    private static async Task AnalyseNewIndexesAsync(SchemaConnection db, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Sqlite
            || await db.ScalarAsync("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'", ct) == 0)
        {
            return;
        }

        var tables = await db.StringsAsync(
            """
            SELECT DISTINCT tbl_name FROM sqlite_master
            WHERE type = 'index' AND tbl_name IN (SELECT tbl FROM sqlite_stat1) AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)
            """, ct);
        foreach (var table in tables)
        {
            var analyse = "ANALYZE \"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\";";
            await db.ExecuteAsync(analyse, ct);
        }
    }
}
