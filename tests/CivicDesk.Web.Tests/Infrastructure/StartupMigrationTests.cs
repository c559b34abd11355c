using System.Collections.Concurrent;
using System.Data.Common;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// A start hands the database to EF Core's Migrate only when its history lacks one of the build's migrations
/// (DataFeature.MigrateDatabaseAsync): a warm start on a current database skips it, a database behind by a migration
/// is still migrated. On both providers; each test has a database of its own, since one rolls a migration back.
/// </summary>
public sealed class StartupMigrationTests
{
    [Fact]
    public async Task The_build_s_migrations_are_those_EF_Core_finds()
    {
        await using var root = new CivicDeskFactory();
        await using var scope = root.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        DataFeature.BuildMigrations(CivicDeskFactory.Provider).ShouldBe(db.Database.GetMigrations().ToList());
        DataFeature.BuildMigrations(CivicDeskFactory.Provider).Count.ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task An_up_to_date_database_is_not_migrated_again()
    {
        var log = new CommandLog();
        await using var root = new CivicDeskFactory();
        var factory = root.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IInterceptor>(log)));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty("the start migrated it");
        var history = (await db.Database.GetAppliedMigrationsAsync()).ToList();

        log.Clear();
        (await factory.Services.MigrateDatabaseAsync()).ShouldBeEmpty();

        // EF Core's Migrate reads the history through the context (and takes its lock table on SQLite); the start did not.
        log.Commands.ShouldNotContain(c => c.Contains("__EFMigrations", StringComparison.Ordinal));
        (await db.Database.GetAppliedMigrationsAsync()).ShouldBe(history);
    }

    [Fact]
    public async Task A_database_behind_by_a_migration_is_migrated()
    {
        var log = new CommandLog();
        await using var root = new CivicDeskFactory();
        var factory = root.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IInterceptor>(log)));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var migrations = db.Database.GetMigrations().ToList();
        var newest = migrations[^1];

        // What an upgrade meets: the database as the build before this one left it.
        await db.GetService<IMigrator>().MigrateAsync(migrations[^2]);
        (await db.Database.GetPendingMigrationsAsync()).ShouldBe([newest]);
        await using (var connection = await SchemaConnection.OpenAsync(factory.Services.GetRequiredService<DbConnectionFactory>(), CancellationToken.None))
        {
            (await DataFeature.PendingMigrationsAsync(connection, CancellationToken.None)).ShouldBe([newest]);
        }

        log.Clear();
        (await factory.Services.MigrateDatabaseAsync()).ShouldBe([newest]);

        log.Commands.ShouldContain(c => c.Contains("__EFMigrationsHistory", StringComparison.Ordinal), "EF Core's Migrate ran");
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
        (await db.Database.GetAppliedMigrationsAsync()).ShouldBe(migrations);
    }

    [Fact]
    public async Task A_missing_migration_older_than_the_newest_counts_as_pending()
    {
        // Branches merged out of order: a migration dated before the newest applied one reaches the database later.
        await using var root = new CivicDeskFactory();
        await using var scope = root.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var migrations = db.Database.GetMigrations().ToList();
        var middle = migrations[migrations.Count / 2];
        await using var connection = await SchemaConnection.OpenAsync(root.Services.GetRequiredService<DbConnectionFactory>(), CancellationToken.None);
        (await DataFeature.PendingMigrationsAsync(connection, CancellationToken.None)).ShouldBeEmpty();

        await connection.ExecuteAsync("DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = @id", CancellationToken.None, ("id", middle));

        (await DataFeature.PendingMigrationsAsync(connection, CancellationToken.None)).ShouldBe([middle]);
        (await db.Database.GetPendingMigrationsAsync()).ShouldBe([middle]);
    }

    /// <summary>Every command EF Core runs through a context.</summary>
    private sealed class CommandLog : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<string> _commands = new();

        public IReadOnlyList<string> Commands => [.. _commands];

        public void Clear() => _commands.Clear();

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            _commands.Enqueue(command.CommandText);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _commands.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            _commands.Enqueue(command.CommandText);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            _commands.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            _commands.Enqueue(command.CommandText);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            _commands.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }
}
