namespace CivicDesk.Web.Features.Review;

public static class ReviewFeature
{
    public static WebApplicationBuilder AddReviewFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReviewQueue>();
        return builder;
    }
}
