using System.Net;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.Rss;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Public;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Newsroom;

/// <summary>The newsroom over HTTP: write, publish, feeds read by independent readers, embargo, withdrawal, change log, XSS.</summary>
public sealed class NewsroomTests(PublicSiteFactory factory) : IClassFixture<PublicSiteFactory>
{
    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    public const string Xss = "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) <a href=\"#\" onclick=\"alert(4)\">x</a>\n\n## Roadworks\n\n* one\n* two";

    public static async Task<HttpResponseMessage> PostNewsAsync(HttpClient client, string handler, Dictionary<string, string> fields, long? id = null, (string Name, byte[] Data)? image = null)
    {
        var path = id is null ? "/newsroom/edit" : $"/newsroom/edit/{id}";
        var token = await StaffClient.AntiforgeryTokenAsync(client, path);
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(token), "__RequestVerificationToken");
        foreach (var (k, v) in fields)
        {
            form.Add(new StringContent(v), k);
        }

        if (image is { } img)
        {
            var file = new ByteArrayContent(img.Data);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            form.Add(file, "Image", img.Name);
        }

        return await client.PostAsync($"{path}?handler={handler}", form);
    }

    private static Dictionary<string, string> Fields(string title, string body = "Gritting starts tonight.", string tags = "roads, winter", string? embargo = null)
    {
        var f = new Dictionary<string, string> { ["Input.Title"] = title, ["Input.Summary"] = $"Summary of {title}.", ["Input.Body"] = body, ["Input.Tags"] = tags };
        if (embargo is not null)
        {
            f["Input.EmbargoUntil"] = embargo;
        }

        return f;
    }

    // The public pages serve the one organisation named in PublicOptions (PublicSiteFactory creates it).
    private Task<TestOrganisation> PublicOrgAsync() => factory.OrganisationAsync();

    [Fact]
    public async Task A_published_post_is_on_the_news_page_and_in_all_three_feeds_with_its_image_and_no_script()
    {
        var org = await PublicOrgAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var anon = StaffClient.Anonymous(factory);

        var noAlt = await PostNewsAsync(comms, "Publish", Fields("Gritting tonight"), image: ("grit.png", Png));
        (await noAlt.Content.ReadAsStringAsync()).ShouldContain("Enter alt text for grit.png");

        var fields = Fields("Gritting tonight", Xss);
        fields["ImageAlt"] = "A gritting lorry on Park Road at dusk";
        var published = await PostNewsAsync(comms, "Publish", fields, image: ("grit.png", Png));
        published.StatusCode.ShouldBe(HttpStatusCode.Redirect, await published.Content.ReadAsStringAsync());
        var post = await InboxTestData.WithDbAsync(factory, org.Id, db => db.NewsPosts.Include(p => p.Images).SingleAsync(p => p.Title == "Gritting tonight"));
        post.Status.ShouldBe(NewsPostStatus.Published);
        post.Slug.ShouldBe("gritting-tonight");

        var list = await InboxTestData.GetPageAsync(anon, "/news?tag=winter");
        list.QuerySelector("[data-slug='gritting-tonight']").ShouldNotBeNull();
        (await InboxTestData.GetPageAsync(anon, "/news?q=gritting")).QuerySelector("[data-slug='gritting-tonight']").ShouldNotBeNull();
        (await InboxTestData.GetPageAsync(anon, "/news?q=zebra")).QuerySelector("[data-slug='gritting-tonight']").ShouldBeNull();

        var page = await InboxTestData.GetPageAsync(anon, "/news/gritting-tonight");
        var body = page.QuerySelector("#post-body")!;
        body.QuerySelectorAll("script").Length.ShouldBe(0);
        // Raw HTML in Markdown is shown as text, never as elements: no element carries an event handler or a javascript: link.
        body.QuerySelectorAll("*").SelectMany(e => e.Attributes).ShouldNotContain(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        body.QuerySelectorAll("img").Length.ShouldBe(0);
        body.QuerySelectorAll("a").Select(a => a.GetAttribute("href") ?? "").ShouldNotContain(h => h.Contains("javascript", StringComparison.OrdinalIgnoreCase));
        body.QuerySelector("h3")!.TextContent.ShouldBe("Roadworks");   // "##" moves down a level: the title is the only h1, "#" becomes h2
        page.QuerySelector("img.civicdesk-news-image")!.GetAttribute("alt").ShouldBe("A gritting lorry on Park Road at dusk");
        var imageUrl = page.QuerySelector("img.civicdesk-news-image")!.GetAttribute("src")!;
        (await anon.GetByteArrayAsync(imageUrl)).ShouldBe(Png);

        // Atom and RSS through System.ServiceModel.Syndication and through our own FeedParser.
        foreach (var (path, format) in new[] { ("/news/feed.atom", "atom"), ("/news/feed.rss", "rss"), ("/news/tags/winter/feed.atom", "atom"), ("/news/tags/winter/feed.rss", "rss") })
        {
            var bytes = await anon.GetByteArrayAsync(path);
            using var reader = XmlReader.Create(new MemoryStream(bytes));
            var feed = SyndicationFeed.Load(reader);
            var item = feed.Items.Single(i => i.Title.Text == "Gritting tonight");
            (item.Id ?? item.Links[0].Uri.ToString()).ShouldEndWith("/news/gritting-tonight");
            item.PublishDate.UtcDateTime.ShouldBe(post.PublishedAt!.Value, TimeSpan.FromSeconds(1));
            item.Categories.Select(c => c.Name).ShouldBe(["roads", "winter"], ignoreOrder: true);
            var enclosure = item.Links.Single(l => l.RelationshipType == "enclosure");
            enclosure.MediaType.ShouldBe("image/png");
            enclosure.Length.ShouldBe(Png.Length);
            enclosure.Uri.ToString().ShouldEndWith(imageUrl);

            var parsed = FeedParser.Parse(bytes);
            parsed.Format.ShouldContain(format, Shouldly.Case.Insensitive);
            var ours = parsed.Items.Single(i => i.Title == "Gritting tonight");
            ours.Link!.ShouldEndWith("/news/gritting-tonight");
            ours.Text!.ShouldContain("Roadworks");
            // The feed's HTML, as a reader would render it: the author's raw HTML is text, never elements.
            var feedHtml = (item.Content as TextSyndicationContent)?.Text ?? item.Summary.Text;
            var rendered = await InboxTestData.ParseAsync(feedHtml);
            rendered.QuerySelectorAll("script, img").Length.ShouldBe(0);
            rendered.QuerySelectorAll("*").SelectMany(e => e.Attributes).ShouldNotContain(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        }

        using var json = JsonDocument.Parse(await anon.GetStringAsync("/news/feed.json"));
        json.RootElement.GetProperty("version").GetString().ShouldBe("https://jsonfeed.org/version/1.1");
        var jsonItem = json.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("title").GetString() == "Gritting tonight");
        jsonItem.GetProperty("id").GetString()!.ShouldEndWith("/news/gritting-tonight");
        jsonItem.GetProperty("content_html").GetString()!.ShouldNotContain("<script");
        jsonItem.GetProperty("attachments")[0].GetProperty("size_in_bytes").GetInt64().ShouldBe(Png.Length);
        jsonItem.GetProperty("attachments")[0].GetProperty("mime_type").GetString().ShouldBe("image/png");
        DateTime.Parse(jsonItem.GetProperty("date_published").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime()
            .ShouldBe(post.PublishedAt!.Value, TimeSpan.FromSeconds(1));
        (await anon.GetStringAsync("/news/tags/zebra/feed.json")).ShouldNotContain("Gritting tonight");

        var audit = await InboxTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.Where(a => a.TargetType == "NewsPost" && a.TargetId == post.Id.ToString()).Select(a => a.Action).ToListAsync());
        audit.ShouldContain("news.created");
        audit.ShouldContain("news.published");
    }

    [Fact]
    public async Task Drafts_and_embargoed_posts_are_not_public_a_withdrawn_post_says_so_and_edits_are_logged()
    {
        var org = await PublicOrgAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var anon = StaffClient.Anonymous(factory);

        (await PostNewsAsync(comms, "Save", Fields("Secret draft"))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var future = DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
        (await PostNewsAsync(comms, "Publish", Fields("Embargoed budget", embargo: future))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.NewsPosts.SingleAsync(p => p.Title == "Embargoed budget"))).Status.ShouldBe(NewsPostStatus.Scheduled);

        foreach (var slug in new[] { "secret-draft", "embargoed-budget" })
        {
            (await anon.GetAsync($"/news/{slug}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await anon.GetStringAsync("/news")).ShouldNotContain(slug);
            (await anon.GetStringAsync("/news/feed.atom")).ShouldNotContain(slug);
            (await anon.GetStringAsync("/news/feed.rss")).ShouldNotContain(slug);
            (await anon.GetStringAsync("/news/feed.json")).ShouldNotContain(slug);
        }

        (await PostNewsAsync(comms, "Publish", Fields("Library hours"))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var id = await InboxTestData.WithDbAsync(factory, org.Id, db => db.NewsPosts.Where(p => p.Title == "Library hours").Select(p => p.Id).SingleAsync());

        // An edit after publication needs a change note; the note is shown publicly.
        var noNote = await PostNewsAsync(comms, "Save", Fields("Library hours", "New hours from Monday."), id);
        (await noNote.Content.ReadAsStringAsync()).ShouldContain("Say what changed");
        var withNote = Fields("Library hours", "New hours from Monday.");
        withNote["Input.ChangeNote"] = "Corrected the opening day";
        (await PostNewsAsync(comms, "Save", withNote, id)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = await InboxTestData.GetPageAsync(anon, "/news/library-hours");
        page.QuerySelector("#change-log")!.ParentElement!.TextContent.ShouldContain("Corrected the opening day");
        page.QuerySelector("#dates")!.TextContent.ShouldContain("Last updated");

        // Withdrawn: the address stays and says so; the lists and feeds drop it.
        (await StaffClient.PostFormAsync(comms, $"/newsroom/edit/{id}", $"/newsroom/edit/{id}?handler=Withdraw",
            new Dictionary<string, string> { ["WithdrawalReason"] = "The hours were announced in error" })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var withdrawn = await InboxTestData.GetPageAsync(anon, "/news/library-hours");
        withdrawn.QuerySelector("#withdrawn")!.TextContent.ShouldContain("The hours were announced in error");
        withdrawn.QuerySelector("#post-body")!.TextContent.Trim().ShouldBeEmpty();
        (await anon.GetStringAsync("/news")).ShouldNotContain("library-hours");
        (await anon.GetStringAsync("/news/feed.atom")).ShouldNotContain("library-hours");
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.CountAsync(a => a.Action == "news.withdrawn" && a.TargetId == id.ToString()))).ShouldBe(1);
    }

    [Fact]
    public async Task Agents_cannot_write_news_and_a_trainees_post_goes_to_review()
    {
        var org = await PublicOrgAsync();
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        (await agent.GetAsync("/newsroom")).Headers.Location?.ToString().ShouldContain("/account/access-denied");

        var trainee = await StaffClient.SignInAsync(factory, org, Roles.Trainee);
        (await PostNewsAsync(trainee, "Publish", Fields("Trainee news"))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var post = await InboxTestData.WithDbAsync(factory, org.Id, db => db.NewsPosts.SingleAsync(p => p.Title == "Trainee news"));
        post.Status.ShouldBe(NewsPostStatus.InReview);
        (await StaffClient.Anonymous(factory).GetAsync("/news/trainee-news")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var item = await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.SingleAsync(r => r.Kind == "news-post" && r.SubjectId == post.Id.ToString()));

        var lead = await StaffClient.SignInAsync(factory, org, Roles.TeamLead);
        (await StaffClient.PostFormAsync(lead, "/review", $"/review/{item.Id}?handler=ApproveEdited",
            new Dictionary<string, string> { ["EditedText"] = "Gritting starts tonight at 6pm." })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.WithDbAsync(factory, org.Id, db => db.NewsPosts.SingleAsync(p => p.Id == post.Id))).Status.ShouldBe(NewsPostStatus.Published);
        (await StaffClient.Anonymous(factory).GetStringAsync("/news/trainee-news")).ShouldContain("Gritting starts tonight at 6pm.");
    }

    [Fact]
    public async Task The_live_length_check_counts_by_each_networks_rule_and_names_only_the_chosen_accounts_it_is_too_long_for()
    {
        var org = await PublicOrgAsync();
        var channels = await Publishing.FakeSocialNetworks.ConnectChannelsAsync(factory, org, new Uri("http://127.0.0.1:9/"));
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        // 130 emoji between spaces: 259 graphemes on Bluesky and Mastodon, but 389 weighted characters on X (an emoji counts 2).
        var summary = string.Join(' ', Enumerable.Repeat("🚧", 130));
        var fields = new Dictionary<string, string>
        {
            ["Input.Title"] = "Roadworks", ["Input.Summary"] = summary,
            ["Input.ChannelIds"] = channels[ChannelKind.Twitter].ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        var response = await PostNewsAsync(comms, "Measure", fields);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync());
        string Hint(ChannelKind kind) => html.QuerySelector($"#measure-{channels[kind]}")!.TextContent;
        Hint(ChannelKind.Twitter).ShouldContain("too long for X");
        Hint(ChannelKind.Bluesky).ShouldContain("too long for Bluesky", customMessage: "259 graphemes plus the title and the link's own length pass 300");
        Hint(ChannelKind.Mastodon).ShouldStartWith("295 of 500");   // "Roadworks" (9) + 2 newlines + 259 + 2 newlines + a link counted as 23
        Hint(ChannelKind.Mastodon).ShouldContain("of 500");
        var status = html.QuerySelector("#measure-status")!.TextContent;
        status.ShouldContain("Too long for Council on Twitter");
        status.ShouldNotContain("Bluesky", customMessage: "Bluesky was not chosen");

        fields["Input.SplitIntoThread"] = "true";
        var thread = await InboxTestData.ParseAsync(await (await PostNewsAsync(comms, "Measure", fields)).Content.ReadAsStringAsync());
        thread.QuerySelector($"#measure-{channels[ChannelKind.Twitter]}")!.TextContent.ShouldContain("goes as a thread of");
        thread.QuerySelector("#measure-status")!.TextContent.Trim().ShouldBeEmpty();

        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        (await PostNewsAsync(comms, "Measure", fields)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await agent.PostAsync("/newsroom/edit?handler=Measure", new FormUrlEncodedContent(fields))).StatusCode.ShouldNotBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_trainees_post_returned_with_a_note_edited_and_approved_as_written_is_published_with_its_image()
    {
        var org = await PublicOrgAsync();
        var trainee = await StaffClient.SignInAsync(factory, org, Roles.Trainee);
        var channels = await Publishing.FakeSocialNetworks.ConnectChannelsAsync(factory, org, new Uri("http://127.0.0.1:9/"), owner: "Returned");
        var fields = Fields("Returned news");
        fields["ImageAlt"] = "A gritter";
        fields["Input.ChannelIds"] = channels[ChannelKind.Mastodon].ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await PostNewsAsync(trainee, "Publish", fields, image: ("grit.png", Png))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var post = await InboxTestData.WithDbAsync(factory, org.Id, db => db.NewsPosts.SingleAsync(p => p.Title == "Returned news"));
        var item = await InboxTestData.WithDbAsync(factory, org.Id, db => db.ReviewItems.SingleAsync(r => r.Kind == "news-post" && r.SubjectId == post.Id.ToString()));
        var lead = await StaffClient.SignInAsync(factory, org, Roles.TeamLead);

        (await StaffClient.PostFormAsync(lead, $"/review/{item.Id}", $"/review/{item.Id}?handler=Return",
            new Dictionary<string, string> { ["CoachingNote"] = "Say which roads." })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await StaffClient.PostFormAsync(trainee, $"/review/{item.Id}", $"/review/{item.Id}?handler=Resubmit",
            new Dictionary<string, string> { ["Text"] = "Gritting on the A40 tonight." })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var approved = await StaffClient.PostFormAsync(lead, $"/review/{item.Id}", $"/review/{item.Id}?handler=Approve", new Dictionary<string, string>());
        approved.StatusCode.ShouldBe(HttpStatusCode.Redirect, await approved.Content.ReadAsStringAsync());

        var published = await InboxTestData.WithDbAsync(factory, org.Id, db => db.NewsPosts.Include(p => p.Images).SingleAsync(p => p.Id == post.Id));
        published.Status.ShouldBe(NewsPostStatus.Published);
        published.BodyMarkdown.ShouldBe("Gritting on the A40 tonight.");
        published.Images.Single().AltText.ShouldBe("A gritter");
        var publication = await InboxTestData.WithDbAsync(factory, org.Id, db => db.Publications.Include(p => p.Deliveries).SingleAsync(p => p.Id == published.PublicationId));
        publication.Deliveries.Single().ChannelId.ShouldBe(channels[ChannelKind.Mastodon]);
        publication.Text.ShouldContain("Returned news");
    }
}
