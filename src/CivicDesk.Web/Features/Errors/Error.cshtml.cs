using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Errors;

[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Sorry, there is a problem with the service";
    public string Advice { get; private set; } = "Try again later. Nothing you submitted has been lost.";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        (Title, Advice) = code switch
        {
            404 => ("Page not found", "If you typed the web address, check it is correct."),
            403 => ("You do not have access to this page", "Ask your team leader or administrator if you need access."),
            429 => ("Too many requests", "You have sent a lot of requests in a short time. Wait a few minutes and try again."),
            400 => ("Sorry, there is a problem with your request", "Go back and try again."),
            _ => (Title, Advice),
        };
        if (code is { } c)
        {
            Response.StatusCode = c;
        }
    }
}
