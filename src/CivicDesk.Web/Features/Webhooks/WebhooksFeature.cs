using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Webhooks;

public static class WebhooksFeature
{
    public static WebApplicationBuilder AddWebhooksFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<WebhookSignal>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddSingleton<WebhookOutbox>();
        // No redirects (the guard follows them for GET only; deliveries are POSTs): a receiver answers for itself, and a
        // redirect could point the signed body somewhere else. The receiver's address is checked when connecting.
        builder.Services.AddOutboundHttpGuard();
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName, c => c.DefaultRequestHeaders.UserAgent.ParseAdd("CivicDesk-Webhooks/1"))
            .AddOutboundGuard();
        if (builder.Configuration.GetValue("Webhooks:WorkerEnabled", true))
        {
            builder.Services.AddBackgroundWorker<WebhookWorker>();
        }

        return builder;
    }
}
