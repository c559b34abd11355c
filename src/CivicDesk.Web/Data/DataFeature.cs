using CivicDesk.Web.Platform;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

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

    /// <summary>Applies migrations (and WAL on SQLite) before any worker starts.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        using var gate = db.Provider == DatabaseProvider.Sqlite
            ? await SqliteMigrationGate.EnterAsync(db, services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SqliteMigrationGate)), ct)
            : null;
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers (the inbox) run while the ingest worker writes; the setting persists in the file.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }

        await db.Database.MigrateAsync(ct);
        await AggregateTriggers.InstallAsync(db, ct);
        await NeedsHumanTriggers.InstallAsync(db, ct);
        await SearchIndexes.EnsureAsync(db, ct);
        await AnalyseNewIndexesAsync(db, ct);
    }

    /// <summary>
    /// SQLite: statistics for indexes a migration added to a table that has statistics already. Without them the planner
    /// trusts the analysed indexes over the new ones: at 1 M messages the inbox's filter indexes (InboxFilterIndexes) lost
    /// to the status index and each filtered count took 0.2–1.5 s instead of a millisecond (bench inbox --sql). A table
    /// never analysed is left alone (the planner then weighs every index alike). A full ANALYZE, not a sample: with
    /// analysis_limit = 1000 every index of Conversations read as "1,001 rows per key" and plans got worse (kind filter
    /// 3.5 s); the whole table took 2.6 s at 444,573 conversations, once per migration.
    /// </summary>
    private static async Task AnalyseNewIndexesAsync(CivicDeskDb db, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Sqlite
            || await db.Database.SqlQuery<int>($"SELECT count(*) AS \"Value\" FROM sqlite_master WHERE name = 'sqlite_stat1'").SingleAsync(ct) == 0)
        {
            return;
        }

        var tables = await db.Database.SqlQueryRaw<string>(
            """
            SELECT DISTINCT tbl_name AS "Value" FROM sqlite_master
            WHERE type = 'index' AND tbl_name IN (SELECT tbl FROM sqlite_stat1) AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)
            """).ToListAsync(ct);
        foreach (var table in tables)
        {
            var analyse = "ANALYZE \"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\";";
            await db.Database.ExecuteSqlRawAsync(analyse, ct);
        }
    }
}
