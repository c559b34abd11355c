using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>
/// The inbox as an agent sees it on a laptop, a wide monitor and a phone: long subjects take at most two lines (full
/// text on hover), secondary columns give way on narrow screens, nothing scrolls sideways, and axe finds nothing serious.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class InboxLayoutTests(BrowserFixture fixture)
{
    private static readonly string Shots = Path.Combine(Path.GetTempPath(), "civicdesk-shots");

    [Fact]
    public async Task The_inbox_fits_1280_1920_and_a_phone_with_long_subjects_clamped()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        var longSubject = "The streetlight outside number 14 Mill Lane has been flickering on and off every night for three weeks and now the one opposite " +
            "has gone out completely, it is very dark on the corner by the bus stop and people have nearly tripped over the broken kerb there too";
        await using (var scope = fixture.Factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var now = DateTime.UtcNow;
            for (var i = 0; i < 25; i++)
            {
                var at = now.AddMinutes(-i * 37);
                db.Conversations.Add(new Conversation
                {
                    OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"LY-{Guid.NewGuid():N}"[..14],
                    CitizenHandle = i % 3 == 0 ? "someone.with.a.very.long.handle@social.example-borough.gov.uk" : "@resident" + i,
                    Subject = i % 2 == 0 ? longSubject : i % 5 == 0 ? "https://example.org/" + new string('x', 120) : "Missed bin",
                    CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = org.Teams.Values.First(), Status = ConversationStatus.Open,
                });
            }

            await db.SaveChangesAsync();
        }

        var errors = new List<string>();
        var page = await fixture.SignInAsync(org.Staff[Roles.Admin].Email, errors);
        await page.GotoAsync("/inbox");
        Directory.CreateDirectory(Shots);
        foreach (var width in new[] { 1920, 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 1000);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"inbox-{width}.png"), FullPage = true });
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"inbox-{width}-first-screen.png") });
            if (width < 400)
            {
                // The staff menu folds behind a button on a phone, and opens again from it.
                (await page.Locator("#staff-navigation").IsVisibleAsync()).ShouldBeFalse("the menu is folded on a phone");
                await page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
                (await page.GetByRole(AriaRole.Link, new() { Name = "Cases" }).IsVisibleAsync()).ShouldBeTrue();
                await page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
            }
            else
            {
                (await page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).IsVisibleAsync()).ShouldBeFalse();
            }

            // Nothing sits on top of the results (MOJ's filter becomes a fixed overlay on small screens without its toggle).
            (await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.moj-filter-layout__filter')).position")).ShouldNotBe("fixed");
            (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1")).ShouldBeTrue($"the page scrolls sideways at {width} px: " +
                await page.EvaluateAsync<string>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(' | ') + ' || columns: ' + [...document.querySelectorAll('#inbox-table thead th')].map(e => e.textContent.trim().slice(0, 9) + ' ' + Math.round(e.getBoundingClientRect().width) + (getComputedStyle(e).display === 'none' ? ' (hidden)' : '')).join(', ')"));
            var subject = page.Locator("#inbox-table tbody tr td.civicdesk-subject").First;
            (await subject.Locator(".civicdesk-clamp").GetAttributeAsync("title")).ShouldBe(longSubject);
            var lineHeight = await subject.Locator(".civicdesk-clamp").EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).lineHeight)");
            (await subject.Locator(".civicdesk-clamp").EvaluateAsync<double>("e => e.getBoundingClientRect().height")).ShouldBeLessThanOrEqualTo(lineHeight * 2 + 1, $"a subject takes at most two lines at {width} px");
            var violations = await Axe.SeriousOrCriticalAsync(page);
            violations.ShouldBeEmpty($"{width} px: {Axe.Describe(violations)}");
            if (width >= 1280)
            {
                (await page.EvaluateAsync<bool>("() => { const t = document.getElementById('inbox-table'); return t.scrollWidth <= t.parentElement.clientWidth + 1; }"))
                    .ShouldBeTrue($"the table overflows its pane at {width} px");
                (await subject.EvaluateAsync<double>("e => e.getBoundingClientRect().width")).ShouldBeGreaterThan(220, $"the subject column is squeezed at {width} px: " +
                    await page.EvaluateAsync<string>("() => 'columns: ' + [...document.querySelectorAll('#inbox-table thead th')].map(e => e.textContent.trim().slice(0, 9) + ' ' + Math.round(e.getBoundingClientRect().width)).join(', ') + '; first row: ' + [...document.querySelectorAll('#inbox-table tbody tr:first-child > *')].map(e => e.textContent.trim().slice(0, 30) + ' ' + Math.round(e.getBoundingClientRect().width)).join(' | ') + '; font: ' + getComputedStyle(document.body).fontFamily"));
            }
            else
            {
                // A phone shows each conversation as a card: the subject under the reference, not beside it.
                // Read both boxes in one script: the inbox re-renders its results every 10 s, and a row looked up
                // twice from here can be swapped out in between (CI saw a null box from exactly that).
                var boxes = await page.EvaluateAsync<double[]>("""
                    () => { const row = document.querySelector('#inbox-table tbody tr');
                            const r = row.querySelector('th').getBoundingClientRect(), s = row.querySelector('td.civicdesk-subject').getBoundingClientRect();
                            return [r.top, r.bottom, r.height, s.top, s.height]; }
                    """);
                boxes[2].ShouldBeGreaterThan(0, "the reference is shown on a phone");
                boxes[4].ShouldBeGreaterThan(0, "the subject is shown on a phone");
                boxes[3].ShouldBeGreaterThanOrEqualTo(boxes[1] - 1, "cards on a phone: the subject under the reference");
            }
        }

        errors.ShouldBeEmpty(string.Join("\n", errors));
    }

    [Fact]
    public async Task The_search_notes_read_well_on_a_laptop_and_a_phone()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        await using (var scope = fixture.Factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var now = DateTime.UtcNow;
            // One more than the search looks through, so the "only the newest are searched" note shows.
            for (var i = 0; i <= Web.Features.Inbox.InboxQuery.TextMatchLimit; i++)
            {
                var at = now.AddMinutes(-i);
                db.Conversations.Add(new Conversation
                {
                    OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"SN-{i:D6}", CitizenHandle = "@resident" + (i % 40),
                    Subject = $"Missed bin collection on Mill Lane again this week, third time since October, house {i}", CreatedAt = at, UpdatedAt = at, LastMessageAt = at,
                    AssignedTeamId = org.Teams.Values.First(), Status = ConversationStatus.Open,
                });
            }

            await db.SaveChangesAsync();
        }

        var errors = new List<string>();
        var page = await fixture.SignInAsync(org.Staff[Roles.Admin].Email, errors);
        Directory.CreateDirectory(Shots);
        var searches = new (string Name, string Query, string Note)[]
        {
            ("limited", "bin", "More than 1,000 conversations contain these words: only the newest 1,000 are searched."),
            ("truncated", "missed bin collection on mill lane again this week third time since october house", "Only the first 12 words of the search were used."),
        };
        foreach (var (name, query, note) in searches)
        {
            await page.GotoAsync("/inbox?q=" + Uri.EscapeDataString(query));
            (await page.Locator("#inbox-search-note").InnerTextAsync()).ShouldContain(note);
            (await page.Locator("#inbox-table tbody tr").CountAsync()).ShouldBeGreaterThan(0, "the results still show under the note");
            (await page.Locator("#inbox-summary").InnerTextAsync()).ShouldContain("of 1,000 conversations", customMessage: "the count is written as people write it");
            foreach (var width in new[] { 1280, 390 })
            {
                await page.SetViewportSizeAsync(width, 900);
                await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"inbox-search-{name}-{width}.png") });
                (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1")).ShouldBeTrue($"{name}: the page scrolls sideways at {width} px");
                var violations = await Axe.SeriousOrCriticalAsync(page);
                violations.ShouldBeEmpty($"{name}, {width} px: {Axe.Describe(violations)}");
            }
        }

        errors.ShouldBeEmpty(string.Join("\n", errors));
    }
}
