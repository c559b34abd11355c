namespace CivicDesk.Web.Platform;

public static class Http
{
    public static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");

    /// <summary>True when htmx made the request (it sends HX-Request: true), so a partial is enough.</summary>
    public static bool IsHtmx(this HttpRequest request) => request.Headers["HX-Request"] == "true";
}
