using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace CivicDesk.Web.Platform;

/// <summary>Unhandled exceptions on /api become problem+json without a stack trace; pages fall through to /Error.</summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!Http.IsApi(httpContext))
        {
            return false;
        }

        logger.LogError(exception, "Unhandled API error on {Path}", httpContext.Request.Path.Value);
        httpContext.Response.StatusCode = exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = httpContext.Response.StatusCode,
                Title = httpContext.Response.StatusCode == 500 ? "Something went wrong on our side" : "The request could not be read",
            },
        });
    }
}
