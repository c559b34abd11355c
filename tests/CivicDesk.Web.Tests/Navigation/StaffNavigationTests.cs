using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Public;

namespace CivicDesk.Web.Tests.Navigation;

/// <summary>
/// Issue 14's usability pass: the primary navigation carries the daily work and two hubs (/comms "Speak", /settings
/// "Settings") instead of every page a role may open. What must hold for every role: a hub lists exactly the pages
/// the role's policies let it open (each link answers 200, none sends it to "access denied", and no page it may open
/// is missing), and the navigation shows a hub only when the hub has something for the role.
/// </summary>
public sealed class StaffNavigationTests(SpeakFactory factory) : IClassFixture<SpeakFactory>
{
    public static TheoryData<string> AllRoles() => [.. Roles.All];

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task Each_hub_lists_exactly_the_pages_the_role_may_open(string role)
    {
        var org = await factory.OrganisationAsync();
        var client = await StaffClient.SignInAsync(factory, org, role);
        var nav = Citizen.Parse(await client.GetStringAsync("/inbox")).QuerySelectorAll("#staff-navigation a").Select(a => a.GetAttribute("href")).ToList();

        foreach (var (hub, sections) in new[] { ("/comms", StaffNavigation.Speak), ("/settings", StaffNavigation.Settings) })
        {
            var page = Citizen.Parse(await client.GetStringAsync(hub));
            var listed = page.QuerySelectorAll(".civicdesk-hub a").Select(a => a.GetAttribute("href")!).ToList();
            var allowed = new List<string>();
            foreach (var href in sections.SelectMany(s => s.Links).Select(l => l.Href))
            {
                var response = await client.GetAsync(href);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    allowed.Add(href);
                }
                else
                {
                    response.StatusCode.ShouldBe(HttpStatusCode.Redirect, $"{role} {href}");
                    response.Headers.Location!.ToString().ShouldContain("/account/access-denied", Shouldly.Case.Sensitive, $"{role} {href}");
                }
            }

            listed.ShouldBe(allowed, ignoreOrder: true, $"{role} on {hub}: the hub lists what the role may open, no more and no less");
            nav.Contains(hub).ShouldBe(allowed.Count > 0, $"{role}: the navigation shows {hub} only when it has pages for the role");
        }

        nav.Count.ShouldBeLessThanOrEqualTo(9, "daily work and two hubs, not every page");
    }

    [Fact]
    public async Task A_hubs_page_marks_the_hub_as_the_current_item()
    {
        var org = await factory.OrganisationAsync();
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);

        var channels = Citizen.Parse(await admin.GetStringAsync("/admin/channels"));
        channels.QuerySelector("#staff-navigation a[href='/settings']")!.GetAttribute("aria-current").ShouldBe("page");
        channels.QuerySelector("#staff-navigation a[href='/comms']")!.GetAttribute("aria-current").ShouldBe("false");
        var incidents = Citizen.Parse(await admin.GetStringAsync("/comms/incidents"));
        incidents.QuerySelector("#staff-navigation a[href='/comms']")!.GetAttribute("aria-current").ShouldBe("page");
        // Two-factor sign-in moved from the navigation to the header, beside "Sign out".
        channels.QuerySelector("header a[href='/account/two-factor']").ShouldNotBeNull();
    }

    [Fact]
    public async Task The_hubs_are_for_signed_in_staff_only()
    {
        await factory.OrganisationAsync();
        var anonymous = StaffClient.Anonymous(factory);
        foreach (var hub in new[] { "/comms", "/settings" })
        {
            var response = await anonymous.GetAsync(hub);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            response.Headers.Location!.ToString().ShouldContain("/account/sign-in");
        }
    }
}
