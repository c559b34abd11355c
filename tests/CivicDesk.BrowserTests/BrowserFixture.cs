using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>
/// The real app on Kestrel at 127.0.0.1 (free port) and Debian's Chromium driven by Playwright.
/// Playwright's own browser download does not work here; /usr/bin/chromium is installed by ./test.sh.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public CivicDeskFactory Factory { get; } = new();
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Factory.UseKestrel(0);
        Factory.StartServer();
        BaseAddress = Factory.ClientOptions.BaseAddress;
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CIVICDESK_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // This machine has no network beyond loopback: keep Chromium from trying to reach Google.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), Locale = "en-GB" });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// A new page signed in as this member, through the real sign-in form; members with two-factor sign-in (every
    /// administrator) answer with a code from their stored authenticator key, as their app would. Console errors, uncaught
    /// script errors and failed requests (with their address, which the console message lacks) go to <paramref name="errors"/>.
    /// </summary>
    public async Task<IPage> SignInAsync(string email, List<string>? errors = null)
    {
        var page = await NewPageAsync();
        if (errors is not null)
        {
            page.Console += (_, m) => { if (m.Type == "error") { errors.Add(m.Text); } };
            page.Response += (_, r) => { if (r.Status >= 400) { errors.Add($"{r.Status} {r.Url}"); } };
            // Uncaught exceptions (including rejected promises) are page errors, not console messages.
            page.PageError += (_, e) => errors.Add("page error: " + e);
        }

        await BrowserSignIn.SignInAsync(page, Factory, email);
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Factory.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>
/// Signs a page in through the real sign-in form; members with two-factor sign-in (every administrator) answer with a
/// code from their stored authenticator key, as their app would.
/// </summary>
public static class BrowserSignIn
{
    public static async Task SignInAsync(IPage page, CivicDeskFactory factory, string email)
    {
        await page.GotoAsync("/account/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(TestOrganisation.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.EndsWith("/account/sign-in", StringComparison.Ordinal));
        if (page.Url.Contains("/account/sign-in/two-factor", StringComparison.Ordinal))
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffMember>>();
            var member = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No member {email}");
            var key = await users.GetAuthenticatorKeyAsync(member) ?? throw new InvalidOperationException($"{email} has no authenticator key");
            await page.GetByLabel("Enter your security code").FillAsync(Totp.Code(Totp.FromBase32(key), DateTimeOffset.UtcNow));
            await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("/account/sign-in", StringComparison.Ordinal));
        }
    }
}
