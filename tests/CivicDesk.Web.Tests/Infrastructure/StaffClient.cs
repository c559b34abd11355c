using System.Net;
using System.Text.RegularExpressions;
using CivicDesk.Web.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>HTTP clients that sign in through the real sign-in form (cookies kept, redirects not followed).</summary>
public static partial class StaffClient
{
    public static HttpClient Anonymous(CivicDeskFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static async Task<HttpClient> SignInAsync(CivicDeskFactory factory, string email, string password = TestOrganisation.Password)
    {
        var client = Anonymous(factory);
        var token = await AntiforgeryTokenAsync(client, "/account/sign-in");
        var response = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        }

        if (response.Headers.Location?.OriginalString.Contains("/account/sign-in/two-factor", StringComparison.OrdinalIgnoreCase) == true)
        {
            // Two-factor is on for this member (all administrators): answer with a code from the stored key, as their app would.
            var code = Security.Totp.Code(Security.Totp.FromBase32(await AuthenticatorKeyAsync(factory, email)), DateTimeOffset.UtcNow);
            var second = await PostFormAsync(client, response.Headers.Location.OriginalString, response.Headers.Location.OriginalString,
                new Dictionary<string, string> { ["Code"] = code });
            if (second.StatusCode != HttpStatusCode.Redirect)
            {
                throw new InvalidOperationException($"Two-factor sign-in as {email} failed: {(int)second.StatusCode}");
            }
        }

        return client;
    }

    public static async Task<string> AuthenticatorKeyAsync(CivicDeskFactory factory, string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffMember>>();
        var member = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No member {email}");
        return await users.GetAuthenticatorKeyAsync(member) ?? throw new InvalidOperationException($"{email} has no authenticator key");
    }

    public static Task<HttpClient> SignInAsync(CivicDeskFactory factory, TestOrganisation org, string role) =>
        SignInAsync(factory, org.Staff[role].Email);

    /// <summary>GETs a page and returns the antiforgery token from its first form (or the htmx header in the layout).</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        return ExtractToken(html) ?? throw new InvalidOperationException($"No antiforgery token on {path}");
    }

    public static string? ExtractToken(string html)
    {
        var m = FormToken().Match(html);
        if (m.Success)
        {
            return WebUtility.HtmlDecode(m.Groups[1].Value);
        }

        m = HeaderToken().Match(html);
        return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;
    }

    /// <summary>POSTs a form with the token taken from <paramref name="pagePath"/>.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pagePath, string postPath, IDictionary<string, string> fields)
    {
        var token = await AntiforgeryTokenAsync(client, pagePath);
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        return await client.PostAsync(postPath, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("&quot;RequestVerificationToken&quot;: &quot;([^&]+)&quot;|\"RequestVerificationToken\": \"([^\"]+)\"")]
    private static partial Regex HeaderToken();
}
