using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>Waits for htmx-loaded fragments to be wired up before a test uses them.</summary>
public static class Htmx
{
    /// <summary>
    /// Waits for <paramref name="selector"/> to appear and for htmx to finish settling. htmx inserts a fragment first and
    /// binds its <c>hx-*</c> triggers only when it settles (the fragment carries <c>htmx-added</c> until then, about 20 ms later, longer on a loaded machine); an event fired
    /// in between (Playwright choosing an option at once) goes unheard. A person cannot act that fast; a test can.
    /// </summary>
    public static async Task<ILocator> SettledAsync(IPage page, string selector)
    {
        var locator = page.Locator(selector);
        await locator.WaitForAsync();
        await page.WaitForFunctionAsync("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')");
        return locator;
    }
}
