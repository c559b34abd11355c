using System.Text;
using System.Text.Json;
using CivicDesk.Web.Features.Connectors.Rss;
using CivicDesk.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CivicDesk.Web.Tests.Connectors.Rss;

public sealed class FeedParserTests(ITestOutputHelper output)
{
    /// <summary>
    /// Every XML file of the corpus: it parses, or it is refused with a reason (never another exception). Where gofeed's
    /// expected JSON has items, the item fields this connector uses are compared with it: title, description/content
    /// and summary (as text), guid/id, link (one of gofeed's links), author and the parsed dates.
    /// </summary>
    /// <summary>Found in review: unclosed script tags that exhaust the regex timeout are a bad-feed answer, not a crash.</summary>
    [Fact]
    public void TryParse_TextThatExhaustsTheRegexTimeout_IsRefusedWithAReason()
    {
        var xml = "<rss version=\"2.0\"><channel><item><guid>s</guid><description>" +
                  string.Concat(Enumerable.Repeat("&lt;script&gt;", 60_000)) + "</description></item></channel></rss>";

        FeedParser.TryParse(Encoding.UTF8.GetBytes(xml), out var feed, out var problem).ShouldBeFalse();

        feed.ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain("too long");
    }

    [SharedDataFact(RssCorpus.Data)]
    public void Parse_EveryCorpusFile_ParsesOrIsRefusedAndMatchesGofeedsExpectedItems()
    {
        int parsed = 0, refused = 0, compared = 0;
        var refusedFiles = new List<string>();
        var failures = new List<string>();
        foreach (var path in RssCorpus.XmlFiles())
        {
            var name = RssCorpus.Relative(path);
            if (!FeedParser.TryParse(File.ReadAllBytes(path), out var feed, out var problem))
            {
                refused++;
                refusedFiles.Add(name.Replace('\\', '/'));
                output.WriteLine($"refused {name}: {problem}");
                continue;
            }

            parsed++;
            var expectedPath = Path.ChangeExtension(path, ".json");
            if (!File.Exists(expectedPath))
            {
                continue;
            }

            using var expected = JsonDocument.Parse(File.ReadAllText(expectedPath));
            var root = expected.RootElement;
            var items = root.TryGetProperty("items", out var i) ? i : root.TryGetProperty("entries", out var e) ? e : default;
            if (items.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            if (items.GetArrayLength() != feed!.Items.Count)
            {
                failures.Add($"{name}: {feed.Items.Count} items, gofeed {items.GetArrayLength()}");
                continue;
            }

            for (var n = 0; n < feed.Items.Count; n++)
            {
                compared++;
                Compare(name, items[n], feed.Items[n], failures);
            }
        }

        output.WriteLine($"parsed {parsed}, refused {refused}, items compared with gofeed {compared}");
        failures.ShouldBeEmpty();
        parsed.ShouldBeGreaterThan(400);
        // The only refusals are documents that are no feed (an empty file, a <note>) and ones with mismatched tags,
        // which a strict XML reader must refuse (gofeed's lenient parser guesses); each is listed in the test output.
        refusedFiles.Order(StringComparer.Ordinal).ShouldBe(
        [
            "atom/atom10_feed_entry_source_logo.xml", "atom/atom10_feed_entry_source_title_html_escaped_markup.xml",
            "atom/atom10_feed_entry_source_title_text.xml", "atom/atom10_feed_title_xhtml_escaped_markup.xml",
            "atom/atom10_feed_title_xhtml_inline_markup.xml", "rss/rss_channel_language.xml", "universal/empty_feed.xml",
            "universal/unknown_feed.xml",
        ]);
    }

    private static void Compare(string name, JsonElement expected, FeedItem item, List<string> failures)
    {
        void Check(string field, string? want, string? got)
        {
            if (want is not null && FeedParser.HtmlToText(want) != got)
            {
                failures.Add($"{name}: {field} '{got}' expected '{FeedParser.HtmlToText(want)}'");
            }
        }

        Check("title", Text(expected, "title"), item.Title);
        Check("text", Text(expected, "content") ?? Text(expected, "description") ?? Text(expected, "summary"), item.Text);
        Check("id", expected.TryGetProperty("guid", out var guid) ? Text(guid, "value") : Text(expected, "id"), FeedParser.HtmlToText(item.Id));
        Check("author", Text(expected, "author") ?? (expected.TryGetProperty("authors", out var a) ? Text(a[0], "name") ?? Text(a[0], "email") : null), item.Author);
        if (expected.TryGetProperty("links", out var links) && links.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String ? l.GetString() : Text(l, "href")).ToList() is var hrefs
            && hrefs.Any(h => h is not null) && !hrefs.Contains(item.Link))
        {
            failures.Add($"{name}: link '{item.Link}' not among gofeed's links");
        }

        foreach (var (field, got) in new[] { ("pubDateParsed", item.Published), ("publishedParsed", item.Published), ("updatedParsed", item.Updated) })
        {
            if (Text(expected, field) is { } want && DateTime.Parse(want, null, System.Globalization.DateTimeStyles.AdjustToUniversal) != got)
            {
                failures.Add($"{name}: {field} {got:O} expected {want}");
            }
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Object ? Text(v, "value") : null
            : null;

    [Fact]
    public void Parse_Rss20_ReadsEveryField()
    {
        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes("""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel><title>Echo news</title>
                <item>
                  <title>Road closed on Hewlett Road</title>
                  <link>https://news.example/1</link>
                  <guid isPermaLink="false">news-1</guid>
                  <description>&lt;p&gt;Short&lt;/p&gt;</description>
                  <content:encoded><![CDATA[<p>Gas works close <b>Hewlett Road</b> from Monday.</p><script>alert(1)</script><p>Diversion&nbsp;via Bath Road.</p>]]></content:encoded>
                  <dc:creator>Jo Reporter</dc:creator>
                  <pubDate>Mon, 3 Nov 2025 09:05 BST</pubDate>
                </item>
              </channel>
            </rss>
            """));

        feed.Format.ShouldBe("rss 2.0");
        feed.Title.ShouldBe("Echo news");
        var item = feed.Items.ShouldHaveSingleItem();
        item.Id.ShouldBe("news-1");
        item.Title.ShouldBe("Road closed on Hewlett Road");
        item.Text.ShouldBe("Gas works close Hewlett Road from Monday.\nDiversion\u00a0via Bath Road.".Replace("\u00a0", " ", StringComparison.Ordinal));
        item.Link.ShouldBe("https://news.example/1");
        item.Author.ShouldBe("Jo Reporter");
        item.Published.ShouldBe(new DateTime(2025, 11, 3, 8, 5, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Parse_Atom10_ReadsEntryWithXhtmlContent()
    {
        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Forum &amp;amp; more</title>
              <entry>
                <id>tag:forum.example,2025:post-7</id>
                <title>Flooding again</title>
                <link rel="edit" href="https://forum.example/edit/7"/>
                <link href="https://forum.example/7"/>
                <author><name>Sam</name></author>
                <published>2025-11-03T09:05:00+01:00</published>
                <updated>2025-11-04T10:00:00Z</updated>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Water over <em>Old Bath Road</em></p></div></content>
              </entry>
            </feed>
            """));

        feed.Format.ShouldBe("atom 1.0");
        feed.Title.ShouldBe("Forum & more");
        var item = feed.Items.ShouldHaveSingleItem();
        item.Id.ShouldBe("tag:forum.example,2025:post-7");
        item.Text.ShouldBe("Water over Old Bath Road");
        item.Link.ShouldBe("https://forum.example/7");
        item.Author.ShouldBe("Sam");
        item.Published.ShouldBe(new DateTime(2025, 11, 3, 8, 5, 0, DateTimeKind.Utc));
        item.Updated.ShouldBe(new DateTime(2025, 11, 4, 10, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Parse_ItemWithoutGuidOrLink_GetsAStableHashId()
    {
        var xml = Encoding.UTF8.GetBytes("<rss version=\"2.0\"><channel><item><title>A</title><pubDate>Sun, 06 Jul 2014 12:56:00 GMT</pubDate></item></channel></rss>");

        var first = FeedParser.Parse(xml).Items[0].Id;

        first.ShouldStartWith("sha256:");
        FeedParser.Parse(xml).Items[0].Id.ShouldBe(first);
    }

    [Theory]
    [InlineData("Sun, 06 Jul 2014 12:56:00 GMT", "2014-07-06T12:56:00Z")]
    [InlineData("06 Jul 2014 12:56:00 +0100", "2014-07-06T11:56:00Z")]
    [InlineData("Sun, 6 Jul 2014 12:56 EST", "2014-07-06T17:56:00Z")]
    [InlineData("Sun, 06 Jul 14 12:56:00 PDT", "2014-07-06T19:56:00Z")]
    [InlineData("Sun, 06 Jul 2014 12:56:00 Z", "2014-07-06T12:56:00Z")]
    [InlineData("2014-07-06T12:56:00Z", "2014-07-06T12:56:00Z")]
    [InlineData("2014-07-06T13:56:00+01:00", "2014-07-06T12:56:00Z")]
    [InlineData("2014-07-06", "2014-07-06T00:00:00Z")]
    public void ParseDate_FormatsFeedsUse_AreRead(string value, string expected) =>
        FeedParser.ParseDate(value).ShouldBe(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.AdjustToUniversal));

    [Fact]
    public void ParseDate_Nonsense_IsNull() => FeedParser.ParseDate("last Tuesday").ShouldBeNull();

    [Theory]
    [InlineData("<rss version=\"2.0\"><channel><item><title>cut off")]
    [InlineData("<html><body>Not found</body></html>")]
    [InlineData("")]
    [InlineData("{\"version\": \"https://jsonfeed.org/version/1\"}")]
    public void TryParse_MalformedOrNotAFeed_IsRefusedWithAReason(string text)
    {
        FeedParser.TryParse(Encoding.UTF8.GetBytes(text), out var feed, out var problem).ShouldBeFalse();
        feed.ShouldBeNull();
        problem.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void TryParse_EntityExpansionBomb_IsRefusedWithoutExpanding()
    {
        var bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <rss version="2.0"><channel><item><title>&lol3;</title></item></channel></rss>
            """;

        FeedParser.TryParse(Encoding.UTF8.GetBytes(bomb), out var feed, out _).ShouldBe(feed is not null);
        // Either refused, or read with the undeclared entity left out: never expanded.
        (feed?.Items[0].Title ?? "").ShouldNotContain("lollol");
    }

    [Fact]
    public void TryParse_OverTheSizeLimit_IsRefused()
    {
        var big = new byte[FeedParser.MaxBytes + 1];

        FeedParser.TryParse(big, out _, out var problem).ShouldBeFalse();
        problem!.ShouldContain("limit");
    }

    [Fact]
    public void Parse_BareAmpersandsAndHtmlEntities_AreRepaired()
    {
        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes("<rss version=\"2.0\"><channel><item><title>Fish & Chips&nbsp;&amp; more &copy;</title></item></channel></rss>"));

        feed.Items[0].Title.ShouldBe("Fish & Chips & more ©");
    }
}
