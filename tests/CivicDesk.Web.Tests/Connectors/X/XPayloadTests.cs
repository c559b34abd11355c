using System.Globalization;
using System.Text.Json;
using CivicDesk.Web.Features.Connectors.X;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors.X;

/// <summary>Every genuine X payload in shared/data/payloads/x (docs blocks and tweepy's recorded v2 responses), parsed and checked against the JSON.</summary>
public sealed class XPayloadTests
{
    private static string Folder => Payloads.Folder("x");

    public static TheoryData<string> PayloadFiles() =>
    [
        .. Directory.GetFiles(Folder, "*__block*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal),
        .. Directory.GetFiles(Path.Combine(Folder, "tweepy-cassettes"), "*.json").Select(f => "tweepy-cassettes/" + Path.GetFileName(f)).Order(StringComparer.Ordinal),
    ];

    [SharedDataTheory("payloads/x")]
    [MemberData(nameof(PayloadFiles))]
    public void Payload_parses_and_every_post_matches_its_json(string file)
    {
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, file))).RootElement;
        if (file.StartsWith("tweepy-cassettes/", StringComparison.Ordinal))
        {
            root.GetProperty("status").GetProperty("code").GetInt32().ShouldBe(200);
            root = root.GetProperty("body");
        }

        var batch = XPayloads.Read(root.GetRawText());

        var data = root.GetProperty("data");
        var tweets = data.ValueKind == JsonValueKind.Array ? [.. data.EnumerateArray()] : new List<JsonElement> { data };
        var all = batch.Posts.Concat(batch.Edits.Select(e => e.Edit)).ToDictionary(p => p.Tweet.Id);
        all.Count.ShouldBe(tweets.Count);
        foreach (var json in tweets)
        {
            var post = all[json.GetProperty("id").GetString()!];
            post.Tweet.Text.ShouldBe(json.GetProperty("text").GetString());
            post.Post.ExternalId.ShouldBe(post.Tweet.Id);
            post.Tweet.AuthorId.ShouldBe(json.TryGetProperty("author_id", out var author) ? author.GetString() : null);
            post.Tweet.Lang.ShouldBe(json.TryGetProperty("lang", out var lang) ? lang.GetString() : null);
            post.Tweet.EditHistoryTweetIds.ShouldBe(json.TryGetProperty("edit_history_tweet_ids", out var history)
                ? history.EnumerateArray().Select(h => h.GetString()!).ToList() : null);
            if (json.TryGetProperty("created_at", out var created))
            {
                post.Post.CreatedAt.ShouldBe(DateTime.Parse(created.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
            }

            var expectedUser = post.Tweet.AuthorId is { } authorId && root.TryGetProperty("includes", out var includes) && includes.TryGetProperty("users", out var users)
                ? users.EnumerateArray().FirstOrDefault(u => u.GetProperty("id").GetString() == authorId)
                : default;
            post.Post.AuthorHandle.ShouldBe(expectedUser.ValueKind == JsonValueKind.Object
                ? "@" + expectedUser.GetProperty("username").GetString()
                : "x:" + (post.Tweet.AuthorId ?? "unknown"));
            post.Post.AuthorName.ShouldBe(expectedUser.ValueKind == JsonValueKind.Object && expectedUser.TryGetProperty("name", out var name) ? name.GetString() : null);

            var rules = root.TryGetProperty("matching_rules", out var matching) ? matching.EnumerateArray().Select(r => (r.GetProperty("id").GetString()!, r.GetProperty("tag").GetString())).ToList() : [];
            post.MatchingRules.Select(r => (r.Id, r.Tag)).ShouldBe(rules);
            var stored = JsonDocument.Parse(post.Post.RawPayload!).RootElement;
            stored.GetProperty("data").GetProperty("id").GetString().ShouldBe(post.Tweet.Id);
            (stored.TryGetProperty("matching_rules", out var storedRules) ? storedRules.GetArrayLength() : 0).ShouldBe(rules.Count);
        }

        if (root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("newest_id", out var newest))
        {
            batch.Meta!.NewestId.ShouldBe(newest.GetString());
            batch.Meta.NextToken.ShouldBe(meta.TryGetProperty("next_token", out var token) ? token.GetString() : null);
        }
    }

    [SharedDataFact("payloads/x")]
    public void Filtered_stream_delivery_records_the_rule_that_matched_and_the_author()
    {
        var post = XPayloads.Read(Read("posts__filtered-stream__quickstart__block1.json")).Posts.Single();

        post.Post.ExternalId.ShouldBe("1234567890");
        post.Post.Text.ShouldBe("Look at this cute cat! 🐱");
        post.Post.AuthorHandle.ShouldBe("@catperson");
        post.Post.CreatedAt.ShouldBe(new DateTime(2024, 1, 15, 10, 35, 0, DateTimeKind.Utc));
        post.MatchingRules.ShouldBe([new XMatchingRule("1273026480692322304", "cats with images")]);
        post.Post.RawPayload!.ShouldContain("\"tag\":\"cats with images\"");
    }

    [SharedDataFact("payloads/x")]
    public void A_post_without_expansions_still_parses_with_its_rule()
    {
        var post = XPayloads.Read(Read("posts__filtered-stream__integrate__matching-returned-tweets__block1.json")).Posts.Single();

        post.Post.AuthorHandle.ShouldBe("x:unknown");
        post.MatchingRules.Single().Tag.ShouldBe("climate-semantic");
    }

    [SharedDataFact("payloads/x")]
    public void An_edited_post_is_an_edit_of_the_first_id_in_its_history()
    {
        var batch = XPayloads.Read(Read("fundamentals__edit-posts__block2.json"));

        batch.Posts.ShouldBeEmpty();
        var (original, edit) = batch.Edits.Single();
        original.ShouldBe("1234567890");
        edit.Tweet.Id.ShouldBe("1234567891");
        edit.Post.Text.ShouldBe("Updated text (edited)");
    }

    [SharedDataFact("payloads/x")]
    public void Reply_links_entities_media_alt_text_and_place_are_read()
    {
        var reply = XPayloads.Read(Read("fundamentals__data-dictionary__reference__block0.json")).Posts.Single().Post;
        reply.InReplyTo.ShouldBe("1304102743196356610");
        reply.Language.ShouldBe("en");
        reply.Text.ShouldBe("Here’s an article that highlights the updates in the new Tweet payload v2 https://dev.to/twitterdev/understanding-the-new-tweet-payload-in-the-twitter-api-v2-1fg5");

        var photo = XPayloads.Read(Read("fundamentals__expansions__block1.json")).Posts.Single().Post;
        photo.Text.ShouldBe("Check out this image!\n\n[photo: Example image]");
        photo.Attachments!.Single().Url.ShouldBe("https://pbs.twimg.com/media/example.jpg");

        var placed = XPayloads.Read(Read("fundamentals__data-dictionary__block2.json")).Posts.Single().Post;
        placed.Latitude!.Value.ShouldBe((40.683935 + 40.877483) / 2, 1e-9);
        placed.Longitude!.Value.ShouldBe((-74.026675 + -73.910408) / 2, 1e-9);
    }

    [Fact]
    public void Html_entities_in_v2_text_are_decoded()
    {
        var post = XPayloads.Read("""{"data":{"id":"1","text":"Bins &amp; recycling &lt;today&gt;"}}""").Posts.Single();
        post.Post.Text.ShouldBe("Bins & recycling <today>");
    }

    [Fact]
    public void A_compliance_delete_in_the_openapi_schema_shape_is_a_deletion()
    {
        // No genuine compliance event is in the corpus; this line follows PostDeleteComplianceSchema of the OpenAPI spec.
        var batch = XPayloads.Read("""{"data":{"delete":{"tweet":{"id":"1346889436626259968","author_id":"2244994945"},"event_at":"2021-07-06T18:40:40.000Z"}}}""");

        batch.Posts.ShouldBeEmpty();
        batch.Deletions.ShouldBe([("1346889436626259968", new DateTime(2021, 7, 6, 18, 40, 40, DateTimeKind.Utc))]);
    }

    [Fact]
    public void A_problem_document_is_reported_not_thrown()
    {
        var batch = XPayloads.Read("""{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect","detail":"This stream has been disconnected upstream for operational reasons.","type":"https://api.twitter.com/2/problems/operational-disconnect"}]}""");
        batch.Posts.ShouldBeEmpty();
        batch.Problems.Single().Title.ShouldBe("operational-disconnect");
    }

    [Theory]
    [InlineData("""{"data":{"id":"1346889436626259999","text":"Learn how""")]
    [InlineData("""{"data":{"text":"no id"}}""")]
    [InlineData("""{"data":{"id":"12a","text":"x"}}""")]
    [InlineData("""{"data":{"id":"12"}}""")]
    [InlineData("""{"data":"text"}""")]
    [InlineData("not json")]
    public void Malformed_lines_raise_a_payload_error_without_their_text(string line)
    {
        var error = Should.Throw<XPayloadException>(() => XPayloads.Read(line));
        error.Message.ShouldNotContain("Learn");
        error.Message.ShouldNotContain("no id");
    }

    [Fact]
    public void GuessId_names_the_post_of_an_unreadable_line() =>
        XPayloads.GuessId("""{"data":{"id":"1346889436626259999","text":"Learn how""").ShouldBe("1346889436626259999");

    [Theory]
    [InlineData("hello", 5)]
    [InlineData("Ça coûte £5 — “quoted”", 22)]
    [InlineData("see https://www.example.gov.uk/a/very/long/path/that/goes/on/and/on today", 4 + 23 + 6)]
    [InlineData("日本語", 6)]
    [InlineData("👍🏽", 2)]
    [InlineData("👨‍👩‍👧 family", 2 + 7)]
    public void Weighted_length_counts_as_x_does(string text, int expected) => XText.WeightedLength(text).ShouldBe(expected);

    private static string Read(string file) => File.ReadAllText(Path.Combine(Folder, file));

    internal static string Cassette(string name) =>
        JsonSerializer.Serialize(JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "tweepy-cassettes", name))).RootElement.GetProperty("body"));

    /// <summary>A docs block on one line, as the stream sends it.</summary>
    internal static string Block(string name) => JsonSerializer.Serialize(JsonDocument.Parse(Read(name)).RootElement);
}

public sealed class XSearchRulesTests
{
    [Fact]
    public void Listening_searches_become_x_rules()
    {
        var now = DateTime.UtcNow;
        var rules = XSearchRules.From([
            new Web.Domain.ListeningSearch { Name = "Potholes", Terms = "pothole\npotholes\n#potholes\nroad surface", CreatedAt = now, UpdatedAt = now },
            new Web.Domain.ListeningSearch { Name = "Bins in Leeds", Terms = "bins\nLeeds", Match = Web.Domain.SearchMatch.All, CreatedAt = now, UpdatedAt = now },
            new Web.Domain.ListeningSearch { Name = "Off", Terms = "ignored", IsEnabled = false, CreatedAt = now, UpdatedAt = now },
            new Web.Domain.ListeningSearch { Name = "Council", Terms = "@LeedsCC", CreatedAt = now, UpdatedAt = now },
        ]);

        rules.ShouldBe(["(pothole OR potholes OR #potholes OR \"road surface\") -is:retweet", "bins Leeds -is:retweet", "@LeedsCC -is:retweet"]);
    }

    [Fact]
    public void A_long_any_search_is_split_into_rules_within_the_limit()
    {
        var now = DateTime.UtcNow;
        var terms = string.Join('\n', Enumerable.Range(0, 100).Select(i => $"street{i:000}"));
        var rules = XSearchRules.From([new Web.Domain.ListeningSearch { Name = "Streets", Terms = terms, CreatedAt = now, UpdatedAt = now }]);

        rules.Count.ShouldBeGreaterThan(1);
        rules.ShouldAllBe(r => r.Length <= XSearchRules.MaxRuleLength);
        string.Join(' ', rules).Split(' ').Count(w => w.TrimStart('(').StartsWith("street", StringComparison.Ordinal)).ShouldBe(100);
    }
}
