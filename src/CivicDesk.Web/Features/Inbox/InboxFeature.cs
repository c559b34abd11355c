namespace CivicDesk.Web.Features.Inbox;

public static class InboxFeature
{
    public static WebApplicationBuilder AddInboxFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ConversationCommands>();
        return builder;
    }
}
