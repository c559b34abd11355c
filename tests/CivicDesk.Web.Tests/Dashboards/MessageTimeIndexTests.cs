using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// The aggregate worker reads messages by organisation and time; a database migrated from scratch must have that
/// index (an SQLite table rebuild in a later migration once dropped it silently: RestoreMessageTimeIndex).
/// </summary>
public sealed class MessageTimeIndexTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    [Fact]
    public async Task The_migrated_database_has_the_message_time_index()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        if (db.Database.IsSqlite())
        {
            var names = await db.Database.SqlQueryRaw<string>(
                "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Messages'").ToListAsync();
            names.ShouldContain("IX_Messages_OrganisationId_CreatedAt");
        }
        else
        {
            var names = await db.Database.SqlQueryRaw<string>(
                "SELECT indexname AS \"Value\" FROM pg_indexes WHERE tablename = 'Messages'").ToListAsync();
            names.ShouldContain("IX_Messages_OrganisationId_CreatedAt");
        }
    }
}
