using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Ingestion;

/// <summary>Builds and posts bodies for POST /api/v1/messages.</summary>
internal static class IngestClient
{
    public const string Path = "/api/v1/messages";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Dictionary<string, object?> Message(string externalId, string text = "Pothole outside number 4 on Dog Lane, nearly lost a tyre",
        string author = "@citizen") => new()
    {
        ["externalId"] = externalId,
        ["text"] = text,
        ["authorHandle"] = author,
    };

    public static string Body(IEnumerable<object> messages) => JsonSerializer.Serialize(new { messages }, Json);

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string? key, IEnumerable<object> messages) =>
        PostRawAsync(client, key, Body(messages));

    public static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string? key, string body, string contentType = "application/json") =>
        PostBytesAsync(client, key, Encoding.UTF8.GetBytes(body), contentType);

    public static async Task<HttpResponseMessage> PostBytesAsync(HttpClient client, string? key, byte[] body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Posts and asserts 200; returns the parsed answer.</summary>
    public static async Task<IngestResponse> AcceptAsync(HttpClient client, string key, IEnumerable<object> messages)
    {
        using var response = await PostAsync(client, key, messages);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<IngestResponse>(text, Json)!;
    }

    public static async Task<int> CountMessagesAsync(CivicDeskFactory factory, long organisationId)
    {
        await using var scope = factory.ScopeFor(organisationId);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.CountAsync();
    }
}
