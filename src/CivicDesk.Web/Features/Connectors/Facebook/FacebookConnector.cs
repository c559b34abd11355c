using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Features.Connectors.Facebook;

/// <summary>
/// Facebook Pages and Messenger. Inbound is pushed to <see cref="FacebookWebhooks"/>, so <see cref="RunInboundAsync"/>
/// only reports the channel ready. Replies: a comment under the citizen's comment or post
/// (<c>POST /{id}/comments</c>), or a Messenger message (<c>POST /me/messages</c>, messaging_type RESPONSE).
/// </summary>
public sealed class FacebookConnector : ISocialConnector
{
    public const string GraphBaseUrl = "graph_base_url";
    public const string AppSecret = "app_secret";
    public const string VerifyToken = "verify_token";
    public const string PageAccessToken = "page_access_token";
    public const string DefaultGraph = "https://graph.facebook.com/v21.0/";

    public ChannelKind Kind => ChannelKind.Facebook;

    public IReadOnlyList<ConnectorField> Fields { get; } =
    [
        new(GraphBaseUrl, "Graph API base URL", Hint: "Leave empty for " + DefaultGraph),
        new(AppSecret, "App secret", Secret: true, Required: true, Hint: "Checks the X-Hub-Signature-256 of every webhook"),
        new(VerifyToken, "Webhook verify token", Secret: true, Required: true, Hint: "The same words you enter in the app's webhook settings"),
        new(PageAccessToken, "Page access token", Secret: true, Required: true, Hint: "Needs pages_manage_engagement and pages_messaging"),
    ];

    public Task RunInboundAsync(ConnectorContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Health.Connected();   // webhooks: nothing to hold open
        return Task.CompletedTask;
    }

    public async Task<DeliveryResult> ReplyAsync(ConnectorContext context, OutboundReply reply, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reply);
        if (!context.Secrets.TryGetValue(PageAccessToken, out var token) || token.Length == 0)
        {
            return DeliveryResult.Failed("the Facebook page access token is not set");
        }

        if (reply.InReplyTo is not { Length: > 0 } target)
        {
            return DeliveryResult.Failed("nothing to reply to: the conversation has no Facebook comment or message");
        }

        var baseUrl = new Uri(context.Settings.GetValueOrDefault(GraphBaseUrl) is { Length: > 0 } b ? b.TrimEnd('/') + "/" : DefaultGraph);
        HttpRequestMessage request;
        var recipient = FacebookWebhookParser.MessengerRecipient(target);
        if (recipient is not null)
        {
            request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "me/messages"))
            {
                Content = JsonContent.Create(new { recipient = new { id = recipient }, messaging_type = "RESPONSE", message = new { text = reply.Text } }),
            };
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, Uri.EscapeDataString(target) + "/comments"))
            {
                Content = new FormUrlEncodedContent([new("message", reply.Text)]),
            };
        }

        using (request)
        {
            // The token goes in a header, not the URL, so it never lands in proxy or server logs.
            request.Headers.Authorization = new AuthenticationHeaderValue("OAuth", token);
            using var response = await context.Http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                return DeliveryResult.Failed(Problem(response.StatusCode, body));
            }

            using var json = JsonDocument.Parse(body);
            var id = recipient is not null
                ? json.RootElement.TryGetProperty("message_id", out var mid) ? mid.GetString() : null
                : json.RootElement.TryGetProperty("id", out var cid) ? cid.GetString() : null;
            if (id is null)
            {
                return DeliveryResult.Failed("Facebook accepted the reply but returned no id");
            }

            return recipient is not null
                ? DeliveryResult.Sent(FacebookWebhookParser.MessengerId(recipient, id))
                : DeliveryResult.Sent(id, "https://www.facebook.com/" + Uri.EscapeDataString(id));
        }
    }

    private static string Problem(HttpStatusCode status, string body)
    {
        string? message = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("error", out var e) && e.TryGetProperty("message", out var m))
            {
                message = m.GetString();
            }
        }
        catch (JsonException)
        {
            // Not Graph's error format (a proxy's page): the status says enough.
        }

        var what = (int)status switch
        {
            429 => "Facebook is rate limiting this Page; it will be tried again later",
            >= 500 => $"Facebook had an error ({(int)status}); it will be tried again later",
            401 or 403 => $"Facebook refused the Page access token ({(int)status}); an administrator must renew it",
            _ => $"Facebook refused the reply ({(int)status})",
        };
        return message is null ? what : $"{what}: {(message.Length > 300 ? message[..300] : message)}";
    }
}
