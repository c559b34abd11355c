using System.Data.Common;
using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;
using static CivicDesk.Web.Tests.Ingestion.IngestClient;

namespace CivicDesk.Web.Tests.Ingestion;

/// <summary>A database that will not take writes: the batches in flight fail, nothing is half-written, and the pipeline carries on.</summary>
public sealed class IngestFailureTests : IClassFixture<IngestFailureTests.ImpatientFactory>
{
    private readonly ImpatientFactory _factory;

    public IngestFailureTests(ImpatientFactory factory) => _factory = factory;

    [Fact]
    public async Task A_batch_that_cannot_be_written_fails_its_senders_and_the_pipeline_keeps_running()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = _factory.CreateClient();
        await AcceptAsync(client, org.ApiKey, [Message("warm-1")]);
        object[] first = [Message("f-1", author: "@a"), Message("f-2", author: "@b")];
        object[] second = [Message("f-3", author: "@a"), Message("f-4", author: "@c")];

        await using (await HoldWriteLockAsync(_factory.ConnectionString))
        {
            var responses = await Task.WhenAll(PostAsync(client, org.ApiKey, first), PostAsync(client, org.ApiKey, second));
            foreach (var response in responses)
            {
                response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
                response.Headers.RetryAfter.ShouldNotBeNull();
                response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
                (await response.Content.ReadAsStringAsync()).ShouldContain("nothing of it was stored");
            }
        }

        (await CountMessagesAsync(_factory, org.Id)).ShouldBe(1);
        (await AcceptAsync(client, org.ApiKey, first)).Accepted.ShouldBe(2);
        (await AcceptAsync(client, org.ApiKey, second)).Accepted.ShouldBe(2);
        (await CountMessagesAsync(_factory, org.Id)).ShouldBe(5);
    }

    /// <summary>Holds the database's write lock (SQLite) or an exclusive lock on Messages (PostgreSQL) until disposed.</summary>
    private static async Task<WriteLock> HoldWriteLockAsync(string connectionString)
    {
        // Unpooled, so that closing really ends the session and its lock.
        DbConnection connection = CivicDeskFactory.Provider == DatabaseProvider.Postgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString())
            : new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = CivicDeskFactory.Provider == DatabaseProvider.Postgres
            ? "BEGIN; LOCK TABLE \"Messages\" IN EXCLUSIVE MODE;"
            : "BEGIN IMMEDIATE;";
        await command.ExecuteNonQueryAsync();
        return new WriteLock(connection);
    }

    private sealed class WriteLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "ROLLBACK;";
                await command.ExecuteNonQueryAsync();
            }

            await connection.DisposeAsync();
        }
    }

    /// <summary>Gives up on a locked database after a second instead of thirty.</summary>
    public sealed class ImpatientFactory : CivicDeskFactory
    {
        public string AppConnectionString => Provider == DatabaseProvider.Postgres
            ? new NpgsqlConnectionStringBuilder(ConnectionString) { CommandTimeout = 1 }.ToString()
            : new SqliteConnectionStringBuilder(ConnectionString) { DefaultTimeout = 1 }.ToString();

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Database:ConnectionString", AppConnectionString)];
    }
}
