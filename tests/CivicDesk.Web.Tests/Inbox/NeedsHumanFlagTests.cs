using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Inbox;

/// <summary>
/// Conversation.NeedsHuman follows the messages through the database triggers (Data/NeedsHumanTriggers.cs) whatever
/// writes them: stored needing a person, confirmed, soft-deleted and restored, purged, moved to another conversation.
/// (The ingest path and the confirm page are covered end to end in TriagePipelineTests.)
/// </summary>
public sealed class NeedsHumanFlagTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private async Task<(TestOrganisation Org, long A, long B)> TwoConversationsAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        var rows = Enumerable.Range(0, 2).Select(i => new Conversation
        {
            OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = References.NewConversationReference(), CitizenHandle = "c" + i,
            Subject = "Subject " + i, CreatedAt = now, UpdatedAt = now, LastMessageAt = now,
        }).ToList();
        db.Conversations.AddRange(rows);
        await db.SaveChangesAsync();
        return (org, rows[0].Id, rows[1].Id);
    }

    private async Task<long> AddMessageAsync(TestOrganisation org, long conversationId, bool needsHuman)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var message = new Message
        {
            OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = conversationId, ExternalId = Guid.NewGuid().ToString("N"),
            AuthorHandle = "c", Text = "hello", CreatedAt = DateTime.UtcNow, ReceivedAt = DateTime.UtcNow, NeedsHumanTriage = needsHuman,
        };
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    }

    private async Task UpdateAsync(TestOrganisation org, long messageId, Action<Message> change)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        change(await db.Messages.IgnoreQueryFilters().SingleAsync(m => m.Id == messageId));
        await db.SaveChangesAsync();
    }

    private async Task<bool> FlagAsync(TestOrganisation org, long conversationId)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.NeedsHuman).SingleAsync();
    }

    [Fact]
    public async Task The_flag_is_set_while_any_live_message_waits_for_a_person()
    {
        var (org, a, b) = await TwoConversationsAsync();
        await AddMessageAsync(org, a, needsHuman: false);
        (await FlagAsync(org, a)).ShouldBeFalse("a message that triage was sure of");

        var first = await AddMessageAsync(org, a, needsHuman: true);
        var second = await AddMessageAsync(org, a, needsHuman: true);
        (await FlagAsync(org, a)).ShouldBeTrue();
        (await FlagAsync(org, b)).ShouldBeFalse("another conversation is untouched");

        await UpdateAsync(org, first, m => m.NeedsHumanTriage = false); // confirmed
        (await FlagAsync(org, a)).ShouldBeTrue("the second message still waits");
        await UpdateAsync(org, second, m => m.NeedsHumanTriage = false);
        (await FlagAsync(org, a)).ShouldBeFalse("every message confirmed");

        await UpdateAsync(org, second, m => m.NeedsHumanTriage = true);
        (await FlagAsync(org, a)).ShouldBeTrue();
        await UpdateAsync(org, second, m => m.DeletedAt = DateTime.UtcNow); // deleted by its author on the network
        (await FlagAsync(org, a)).ShouldBeFalse("a deleted message waits for no one");
        await UpdateAsync(org, second, m => m.DeletedAt = null);
        (await FlagAsync(org, a)).ShouldBeTrue("restored");

        await UpdateAsync(org, second, m => m.ConversationId = b); // moved to another conversation
        (await FlagAsync(org, a)).ShouldBeFalse();
        (await FlagAsync(org, b)).ShouldBeTrue();

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await db.Messages.Where(m => m.Id == second).ExecuteDeleteAsync(); // purged
        }

        (await FlagAsync(org, b)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_first_install_sets_the_flag_from_the_messages_already_stored()
    {
        var (org, a, b) = await TwoConversationsAsync();
        await AddMessageAsync(org, a, needsHuman: true);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var postgres = db.Provider == DatabaseProvider.Postgres;
        // As before the column and its triggers existed: no triggers, every flag false.
        foreach (var trigger in new[] { "cd_needs_human_ins", "cd_needs_human_upd", "cd_needs_human_del" })
        {
            var drop = postgres ? $"DROP TRIGGER {trigger} ON \"Messages\"" : $"DROP TRIGGER {trigger}";
            await db.Database.ExecuteSqlRawAsync(drop);
        }

        var reset = $"UPDATE \"Conversations\" SET \"NeedsHuman\" = {(postgres ? "FALSE" : "0")} WHERE \"Id\" IN ({a}, {b})";
        await db.Database.ExecuteSqlRawAsync(reset);
        (await FlagAsync(org, a)).ShouldBeFalse();

        await NeedsHumanTriggers.InstallAsync(db, CancellationToken.None);
        (await FlagAsync(org, a)).ShouldBeTrue();
        (await FlagAsync(org, b)).ShouldBeFalse();
        await AddMessageAsync(org, b, needsHuman: true);
        (await FlagAsync(org, b)).ShouldBeTrue("the triggers are back");
    }
}
