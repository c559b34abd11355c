namespace CivicDesk.Web.Features.Open311;

/// <summary>One GeoReport v2 error: <c>code</c> may be more specific than the HTTP status, <c>description</c> says what to fix.</summary>
public sealed record Open311Error(int Code, string Description);

/// <summary>
/// A refused call: the HTTP status and the spec's error list (<c>&lt;errors&gt;&lt;error&gt;&lt;code/&gt;&lt;description/&gt;…</c>
/// or a JSON array of <c>{code, description}</c>). Every error CivicDesk answers is listed in docs/open311.md.
/// </summary>
public sealed record Open311Failure(int Status, IReadOnlyList<Open311Error> Errors)
{
    public static Open311Failure BadRequest(params string[] descriptions) =>
        new(StatusCodes.Status400BadRequest, descriptions.Select(d => new Open311Error(400, d)).ToList());

    public static Open311Failure Forbidden(string description) => new(StatusCodes.Status403Forbidden, [new Open311Error(403, description)]);

    public static Open311Failure NotFound(string description) => new(StatusCodes.Status404NotFound, [new Open311Error(404, description)]);

    public static Open311Failure ServerError() =>
        new(StatusCodes.Status500InternalServerError, [new Open311Error(500, "Something went wrong on our side; nothing was changed, please try again later")]);

    public static Open311Failure TooLarge(string description) => new(StatusCodes.Status413PayloadTooLarge, [new Open311Error(413, description)]);
}

/// <summary>Writes an <see cref="Open311Failure"/> (or any Open311 document) in the requested format.</summary>
public sealed class Open311Result(int status, Open311Format format, byte[] body) : IResult
{
    public int StatusCode => status;

    public static Open311Result Failure(Open311Format format, Open311Failure failure) =>
        new(failure.Status, format, Open311Writer.List(format, "errors", "error",
            failure.Errors.Select(e => new Open311Record { { "code", e.Code }, { "description", e.Description } })));

    public static Open311Result Ok(Open311Format format, byte[] body) => new(StatusCodes.Status200OK, format, body);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = Open311Writer.ContentType(format);
        httpContext.Response.ContentLength = body.Length;
        return httpContext.Response.Body.WriteAsync(body).AsTask();
    }
}
