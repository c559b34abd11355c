using System.Data.Common;
using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CivicDesk.Web.Tests.Ingestion;

/// <summary>
/// Issue 14, "database is locked": the ingest pipeline holds <see cref="AuditChain.Gate"/> and then writes. A staff
/// action that began a transaction and wrote (taking SQLite's write lock) and only then waited for the gate in its
/// audited save made the two wait on each other until SQLite's busy timeout failed the ingest with a 503. The rule
/// now is gate first, database second, everywhere: this test plays the pipeline's part (gate held, then a write on
/// another connection) while a real note is being added through the conversation page.
/// </summary>
public sealed class WriteLockOrderTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    [Fact]
    public async Task A_staff_write_waiting_for_the_audit_gate_holds_no_database_write_lock()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var conversation = await InboxTestData.ConversationAsync(factory, org);
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        var token = await StaffClient.AntiforgeryTokenAsync(agent, $"/inbox/conversation/{conversation.Id}");

        Task<HttpResponseMessage> note;
        (await AuditChain.Gate.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
        try
        {
            note = agent.PostAsync($"/inbox/conversation/{conversation.Id}?handler=Note", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["NoteText"] = "Checked on site.", ["__RequestVerificationToken"] = token,
            }));
            // Give the request time to reach the point where it needs the gate (it cannot pass it).
            await Task.Delay(TimeSpan.FromSeconds(1));
            note.IsCompleted.ShouldBeFalse("the note's audited save must wait for the gate the test holds");

            // The pipeline's part: with the gate held, write on another connection. Before the fix this failed
            // with "database is locked" (SQLite) because the note's transaction held the write lock.
            await using var connection = await OpenShortTimeoutAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE \"Organisations\" SET \"Name\" = \"Name\" WHERE \"Id\" = {org.Id}";
            (await command.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        finally
        {
            AuditChain.Gate.Release();
        }

        var response = await note.WaitAsync(TimeSpan.FromSeconds(30));
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => Task.FromResult(db.InternalNotes.Count(n => n.ConversationId == conversation.Id)))).ShouldBe(1);
    }

    private async Task<DbConnection> OpenShortTimeoutAsync()
    {
        DbConnection connection = CivicDeskFactory.Provider == DatabaseProvider.Postgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(factory.ConnectionString) { CommandTimeout = 3 }.ToString())
            : new SqliteConnection(new SqliteConnectionStringBuilder(factory.ConnectionString) { DefaultTimeout = 3 }.ToString());
        await connection.OpenAsync();
        return connection;
    }
}
