using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>An XRPC error response: the HTTP status and the lexicon error name (e.g. ExpiredToken, RecordNotFound).</summary>
public sealed class XrpcException(HttpStatusCode status, string? error, string? message)
    : Exception($"XRPC {(int)status} {error}: {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string? Error { get; } = error;
    public string? ServerMessage { get; } = message;
}

/// <summary>A session from com.atproto.server.createSession or refreshSession.</summary>
public sealed record XrpcSession(string Did, string Handle, string AccessJwt, string RefreshJwt);

/// <summary>
/// The few XRPC calls the connector makes (atproto.com/specs/xrpc): queries are GET with query parameters, procedures
/// are POST with a JSON body, errors come back as {error, message}. Only JSON nodes, no generated lexicon types.
/// </summary>
public sealed class XrpcClient(HttpClient http, string serviceUrl)
{
    private readonly string _base = serviceUrl.TrimEnd('/');

    public async Task<JsonObject> QueryAsync(string nsid, IEnumerable<KeyValuePair<string, string?>> parameters, string? bearer, CancellationToken ct)
    {
        var query = string.Join('&', parameters.Where(p => p.Value is not null)
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_base}/xrpc/{nsid}{(query.Length > 0 ? "?" + query : "")}");
        return await SendAsync(request, bearer, ct);
    }

    public async Task<JsonObject> ProcedureAsync(string nsid, JsonNode? body, string? bearer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_base}/xrpc/{nsid}");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await SendAsync(request, bearer, ct);
    }

    /// <summary>com.atproto.repo.uploadBlob: the raw bytes with their MIME type; returns the blob reference to embed.</summary>
    public async Task<JsonObject> UploadBlobAsync(byte[] data, string contentType, string bearer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_base}/xrpc/com.atproto.repo.uploadBlob") { Content = new ByteArrayContent(data) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await SendAsync(request, bearer, ct);
    }

    public async Task<XrpcSession> CreateSessionAsync(string identifier, string password, CancellationToken ct) =>
        Session(await ProcedureAsync("com.atproto.server.createSession", new JsonObject { ["identifier"] = identifier, ["password"] = password }, null, ct));

    public async Task<XrpcSession> RefreshSessionAsync(string refreshJwt, CancellationToken ct) =>
        Session(await ProcedureAsync("com.atproto.server.refreshSession", null, refreshJwt, ct));

    public async Task<string> ResolveHandleAsync(string handle, CancellationToken ct) =>
        (await QueryAsync("com.atproto.identity.resolveHandle", [new("handle", handle)], null, ct))["did"]?.GetValue<string>()
        ?? throw new XrpcException(HttpStatusCode.OK, "InvalidResponse", "resolveHandle returned no did");

    private static XrpcSession Session(JsonObject o) => new(
        o["did"]!.GetValue<string>(), o["handle"]!.GetValue<string>(), o["accessJwt"]!.GetValue<string>(), o["refreshJwt"]!.GetValue<string>());

    private async Task<JsonObject> SendAsync(HttpRequestMessage request, string? bearer, CancellationToken ct)
    {
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        JsonNode? node = null;
        try
        {
            node = body.Length > 0 ? JsonNode.Parse(body) : null;
        }
        catch (JsonException)
        {
            // a proxy's HTML error page: reported below with the status only
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new XrpcException(response.StatusCode, node?["error"]?.GetValue<string>(), node?["message"]?.GetValue<string>());
        }

        return node as JsonObject ?? new JsonObject();
    }
}
