using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CivicDesk.Web.Data;

// Used by tools (scripts/migrations.sh) to build the model without starting the app.
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCivicDeskDb>
{
    public SqliteCivicDeskDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCivicDeskDb>().UseSqlite("Data Source=design.db").Options, new OrganisationContext());
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCivicDeskDb>
{
    public PostgresCivicDeskDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresCivicDeskDb>().UseNpgsql("Host=127.0.0.1;Database=civicdesk_design").Options, new OrganisationContext());
}
