using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Inbox;

/// <summary>Conversations made the way real ones are (through the ingest pipeline), then adjusted for the test.</summary>
internal static class InboxTestData
{
    public static async Task<Conversation> ConversationAsync(CivicDeskFactory factory, TestOrganisation org, string text = "Hello, this is a message for the council",
        Action<Conversation>? arrange = null, long? channelId = null, ChannelKind kind = ChannelKind.WebForm, string? handle = null)
    {
        var pipeline = factory.Services.GetRequiredService<IngestPipeline>();
        handle ??= "citizen-" + Guid.NewGuid().ToString("N")[..8];
        var outcome = await pipeline.SubmitAsync(new IngestBatch(org.Id, channelId ?? org.WebFormChannelId, kind,
            [new InboundPost("post-" + Guid.NewGuid().ToString("N"), text, handle)]), CancellationToken.None);
        var id = outcome.Items.Single().ConversationId;
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var conversation = await db.Conversations.SingleAsync(c => c.Id == id);
        if (arrange is not null)
        {
            arrange(conversation);
            await db.SaveChangesAsync();
        }

        return conversation;
    }

    public static async Task<long> ChannelAsync(CivicDeskFactory factory, TestOrganisation org, ChannelKind kind)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var channel = new Channel { OrganisationId = org.Id, Kind = kind, Name = kind + " account", Account = "@council", CreatedAt = DateTime.UtcNow };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        return channel.Id;
    }

    public static async Task<T> WithDbAsync<T>(CivicDeskFactory factory, long organisationId, Func<CivicDeskDb, Task<T>> work)
    {
        await using var scope = factory.ScopeFor(organisationId);
        return await work(scope.ServiceProvider.GetRequiredService<CivicDeskDb>());
    }

    public static async Task<IHtmlDocument> GetPageAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"GET {path} answered {(int)response.StatusCode}");
        return await new HtmlParser().ParseDocumentAsync(html);
    }

    public static Task<IHtmlDocument> ParseAsync(string html) => new HtmlParser().ParseDocumentAsync(html);

    /// <summary>References of the inbox rows, in order.</summary>
    public static IReadOnlyList<string> References(IHtmlDocument inbox) =>
        inbox.QuerySelectorAll("[data-conversation-row] th a").Select(a => a.TextContent.Trim()).ToList();

    /// <summary>POSTs to a conversation handler with a token from <paramref name="tokenPage"/> (the conversation page by default).</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, long conversationId, string handler, IDictionary<string, string> fields, string? tokenPage = null) =>
        StaffClient.PostFormAsync(client, tokenPage ?? $"/inbox/conversation/{conversationId}", $"/inbox/conversation/{conversationId}?handler={handler}", fields);
}
