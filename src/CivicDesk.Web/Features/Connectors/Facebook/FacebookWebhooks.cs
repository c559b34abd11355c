using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CivicDesk.Web.Features.Connectors.Facebook;

/// <summary>
/// <c>GET /webhooks/facebook/{channelId}</c> answers Facebook's subscription check; <c>POST</c> takes change
/// notifications signed with the app secret (<c>X-Hub-Signature-256</c>, compared in constant time), stores new posts,
/// comments and messages, applies edits and deletions, and answers 200 only once they are committed, so Facebook
/// re-delivers on failure (stored once: idempotent on the Facebook ids).
/// </summary>
public static class FacebookWebhooks
{
    private const int MaxBody = 1024 * 1024;

    public static IEndpointRouteBuilder MapFacebookWebhooks(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/webhooks/facebook").WithTags("Webhooks").AllowAnonymous();
        hooks.MapGet("/{channelId:long}", VerifyAsync);
        hooks.MapPost("/{channelId:long}", ReceiveAsync);
        return app;
    }

    private static async Task<Results<ContentHttpResult, ForbidHttpResult, NotFound>> VerifyAsync(
        long channelId, HttpRequest request, ConnectorContexts contexts, CancellationToken ct)
    {
        if (await ContextAsync(channelId, contexts, ct) is not { } context)
        {
            return TypedResults.NotFound();
        }

        var q = request.Query;
        var expected = context.Secrets.GetValueOrDefault(FacebookConnector.VerifyToken);
        if (q["hub.mode"] != "subscribe" || expected is null || !FixedEquals(q["hub.verify_token"].ToString(), expected))
        {
            return TypedResults.Forbid();
        }

        return TypedResults.Text(q["hub.challenge"].ToString(), "text/plain");
    }

    private static async Task<IResult> ReceiveAsync(long channelId, HttpRequest request, ConnectorContexts contexts, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(FacebookWebhooks));
        if (await ContextAsync(channelId, contexts, ct) is not { } context)
        {
            return TypedResults.NotFound();
        }

        var body = await ReadBodyAsync(request, ct);
        if (body is null)
        {
            return TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var signature = request.Headers["X-Hub-Signature-256"].ToString();
        if (signature.Length == 0)
        {
            return TypedResults.Unauthorized();
        }

        if (context.Secrets.GetValueOrDefault(FacebookConnector.AppSecret) is not { Length: > 0 } secret || !SignatureMatches(body, signature, secret))
        {
            logger.LogWarning("Facebook webhook for channel {ChannelId} had a bad signature", channelId);
            return TypedResults.StatusCode(StatusCodes.Status403Forbidden);
        }

        FacebookWebhook hook;
        try
        {
            hook = FacebookWebhookParser.Parse(Encoding.UTF8.GetString(body));
        }
        catch (FacebookPayloadException e)
        {
            // Signed but unreadable: logged by a fingerprint of the body, never its contents. Facebook does not retry 4xx.
            var id = Convert.ToHexStringLower(SHA256.HashData(body))[..16];
            context.Health.Malformed("body " + id, e.Message);
            return TypedResults.BadRequest();
        }

        foreach (var m in hook.Malformed)
        {
            context.Health.Malformed(m.Identifier, m.Problem);
        }

        var posts = new List<InboundPost>();
        foreach (var e in hook.Events)
        {
            context.Health.EventReceived(e.At);
            if (e.Verb == FacebookVerb.Add)
            {
                posts.Add(new InboundPost(e.ExternalId, e.Text!, e.AuthorId ?? "unknown", e.AuthorName, e.At, e.InReplyTo,
                    RawPayload: e.Raw, IsDirect: true));
            }
        }

        // New posts first, so an edit or deletion in the same body finds its message.
        await context.Sink.CommitAsync(posts, checkpoint: null, ct);
        foreach (var e in hook.Events.Where(e => e.Verb != FacebookVerb.Add))
        {
            if (e.Verb == FacebookVerb.Edit)
            {
                await context.Sink.EditAsync(e.ExternalId, e.Text ?? "", e.At, ct);
            }
            else
            {
                await context.Sink.DeleteAsync(e.ExternalId, e.At, ct);
            }
        }

        return TypedResults.Ok();
    }

    /// <summary>HMAC-SHA256 of the raw body with the app secret, against "sha256=&lt;hex&gt;", in constant time.</summary>
    public static bool SignatureMatches(byte[] body, string header, string appSecret)
    {
        ArgumentNullException.ThrowIfNull(header);
        const string prefix = "sha256=";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || header.Length != prefix.Length + 64)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    private static async Task<ConnectorContext?> ContextAsync(long channelId, ConnectorContexts contexts, CancellationToken ct)
    {
        var context = await contexts.CreateAsync(channelId, ct);
        return context is { Channel: { Kind: ChannelKind.Facebook, IsActive: true } } && await EnabledAsync(contexts, channelId, ct) ? context : null;
    }

    private static Task<bool> EnabledAsync(ConnectorContexts contexts, long channelId, CancellationToken ct) => contexts.IsEnabledAsync(channelId, ct);

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBody)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
