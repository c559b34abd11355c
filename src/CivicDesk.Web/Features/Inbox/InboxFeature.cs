namespace CivicDesk.Web.Features.Inbox;

public static class InboxFeature
{
    public static WebApplicationBuilder AddInboxFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ConversationCommands>();
        builder.Services.AddSingleton<InboxCursors>();
        builder.Services.AddScoped<InboxQuery>();
        builder.Services.AddScoped<Review.IReviewHandler, ReplyReviewHandler>();
        return builder;
    }
}
