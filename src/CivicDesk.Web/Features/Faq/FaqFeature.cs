
namespace CivicDesk.Web.Features.Faq;

public static class FaqFeature
{
    public static WebApplicationBuilder AddFaqFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<QaCommands>();
        return builder;
    }
}
