using CivicDesk.Web.Platform;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

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
            builder.Services.AddDbContext<CivicDeskDb, PostgresCivicDeskDb>((sp, o) => o.UseNpgsql(cs).AddPublicPageEviction(sp).AddInterceptors(sp.GetRequiredService<ReferenceDataEviction>()));
            builder.Services.AddSingleton(new DbConnectionFactory(DatabaseProvider.Postgres, cs));
        }
        else
        {
            var cs = options.ConnectionString ?? SqliteConnectionString(DataDirectory.Resolve(builder.Configuration));
            builder.Services.AddDbContext<CivicDeskDb, SqliteCivicDeskDb>((sp, o) => o.UseSqlite(cs).AddPublicPageEviction(sp).AddInterceptors(sp.GetRequiredService<ReferenceDataEviction>()));
            builder.Services.AddSingleton(new DbConnectionFactory(DatabaseProvider.Sqlite, cs));
        }

        builder.Services.AddHealthChecks().AddDbContextCheck<CivicDeskDb>("database", tags: ["ready"]);
        return builder;
    }

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
    }
}
