using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.EntityFrameworkCore.Sqlite.Design.Internal;
using Microsoft.Extensions.DependencyInjection;
using Npgsql.EntityFrameworkCore.PostgreSQL.Design.Internal;

// usage: CivicDesk.MigrationTool <web project dir> <migration name>
// Adds one migration per provider, exactly as `dotnet ef migrations add` would.
var projectDir = Path.GetFullPath(args[0]);
var name = args[1];

Scaffold(new SqliteDesignTimeFactory().CreateDbContext([]), new SqliteDesignTimeServices(), "Sqlite");
Scaffold(new PostgresDesignTimeFactory().CreateDbContext([]), new NpgsqlDesignTimeServices(), "Postgres");

void Scaffold(DbContext db, IDesignTimeServices providerServices, string provider)
{
    var services = new ServiceCollection();
    services.AddEntityFrameworkDesignTimeServices();
    services.AddDbContextDesignTimeServices(db);
    providerServices.ConfigureDesignTimeServices(services);
    using var sp = services.BuildServiceProvider();
    var scaffolder = sp.GetRequiredService<IMigrationsScaffolder>();
    var migration = scaffolder.ScaffoldMigration(name, "CivicDesk.Web", $"Data.Migrations.{provider}", "C#");
    var files = scaffolder.Save(projectDir, migration, Path.Combine(projectDir, "Data", "Migrations", provider));
    Console.WriteLine($"{provider}: {files.MigrationFile}");
}
