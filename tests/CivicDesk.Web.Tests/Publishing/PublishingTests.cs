using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Tests.Connectors;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Newsroom;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Publishing;

/// <summary>The app with short publishing retries, so retry behaviour shows within a test.</summary>
public sealed class PublishingFactory : CivicDeskFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Publishing:RetryBaseDelay", "00:00:01"),
        new("Publishing:SweepInterval", "00:00:01"),
    ];
}

/// <summary>Publishing to fake Bluesky, Mastodon, X and Facebook servers on 127.0.0.1, asserting the exact requests.</summary>
public sealed class PublishingTests(PublishingFactory factory) : IClassFixture<PublishingFactory>
{
    public static Task<Dictionary<ChannelKind, long>> ChannelsAsync(CivicDeskFactory factory, TestOrganisation org, Uri fake) =>
        FakeSocialNetworks.ConnectChannelsAsync(factory, org, fake);

    /// <summary>Runs the service as the signed-in comms officer would (a scope with that user).</summary>
    public static async Task<PublicationResult> CreateAsync(CivicDeskFactory factory, TestOrganisation org, PublicationRequest request, string role = Roles.Comms)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var http = scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>();
        var identity = new System.Security.Claims.ClaimsIdentity(
        [
            new(System.Security.Claims.ClaimTypes.NameIdentifier, org.Staff[role].Id),
            new(System.Security.Claims.ClaimTypes.Role, role),
            new(Web.Platform.StaffClaims.Organisation, org.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(Web.Platform.StaffClaims.DisplayName, role + " officer"),
        ], "test");
        http.HttpContext = new DefaultHttpContext { User = new System.Security.Claims.ClaimsPrincipal(identity), RequestServices = scope.ServiceProvider };
        try
        {
            return await scope.ServiceProvider.GetRequiredService<PublicationService>().CreateAsync(request, CancellationToken.None);
        }
        finally
        {
            http.HttpContext = null;
        }
    }

    private async Task<List<PublicationDelivery>> DeliveriesAsync(long orgId, long publicationId) =>
        await Inbox.InboxTestData.WithDbAsync(factory, orgId, db => db.PublicationDeliveries.AsNoTracking().Where(d => d.PublicationId == publicationId).ToListAsync());

    private async Task<List<PublicationDelivery>> SettledAsync(long orgId, long publicationId, Func<List<PublicationDelivery>, bool> done)
    {
        List<PublicationDelivery> rows = [];
        await Eventually.TrueAsync(async () => done(rows = await DeliveriesAsync(orgId, publicationId)), "deliveries to settle");
        return rows;
    }

    [Fact]
    public async Task One_post_with_an_image_goes_to_four_networks_through_each_ones_media_api_with_alt_text()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await ChannelsAsync(factory, org, fake.BaseUrl);
        var created = await CreateAsync(factory, org, new PublicationRequest(
            "Park Road is closed for resurfacing on Monday.",
            [.. channels.Values.Select(c => new PublicationTarget(c)), ],
            [new PublicationImageInput("closure.png", NewsroomTests.Png, "Map of the Park Road closure")],
            "https://council.example/news/park-road"));
        created.Succeeded.ShouldBeTrue(string.Join("; ", created.Errors.Select(e => e.Message)));

        var rows = await SettledAsync(org.Id, created.Id!.Value, r => r.All(d => d.State == DeliveryState.Delivered));
        rows.Count.ShouldBe(4);
        var expectedText = "Park Road is closed for resurfacing on Monday.\n\nhttps://council.example/news/park-road";

        // Mastodon: media with description, then the status with media_ids and an Idempotency-Key.
        var masto = fake.Requests.Where(r => r.Network == "mastodon").ToList();
        masto.Select(r => (r.Method, r.Path)).ShouldBe([("POST", "/mastodon/api/v2/media"), ("POST", "/mastodon/api/v1/statuses")]);
        masto[0].Form["description"].ShouldBe("Map of the Park Road closure");
        masto[0].Files.Single().Data.ShouldBe(NewsroomTests.Png);
        masto[0].Headers["Authorization"].ShouldBe("Bearer masto-token");
        var status = JsonNode.Parse(masto[1].Body)!;
        status["status"]!.GetValue<string>().ShouldBe(expectedText);
        status["media_ids"]!.AsArray().Single()!.GetValue<string>().ShouldStartWith("m");
        masto[1].Headers["Idempotency-Key"].ShouldBe(rows.Single(d => d.Kind == ChannelKind.Mastodon).IdempotencyKey + "-0");

        // Bluesky: session, read-back of our record key, uploadBlob of the bytes, createRecord with the images embed and link facet.
        var bsky = fake.Requests.Where(r => r.Network == "bsky").Select(r => r.Path.Split('?')[0]).ToList();
        bsky.ShouldBe(["/bsky/xrpc/com.atproto.server.createSession", "/bsky/xrpc/com.atproto.repo.getRecord", "/bsky/xrpc/com.atproto.repo.uploadBlob", "/bsky/xrpc/com.atproto.repo.createRecord"]);
        var blob = fake.Requests.Single(r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal));
        blob.Bytes.ShouldBe(NewsroomTests.Png);
        blob.ContentType.ShouldBe("image/png");
        var record = JsonNode.Parse(fake.Requests.Single(r => r.Path.EndsWith("createRecord", StringComparison.Ordinal)).Body)!;
        record["rkey"]!.GetValue<string>().Length.ShouldBe(13);
        record["record"]!["text"]!.GetValue<string>().ShouldBe(expectedText);
        record["record"]!["embed"]!["$type"]!.GetValue<string>().ShouldBe("app.bsky.embed.images");
        record["record"]!["embed"]!["images"]![0]!["alt"]!.GetValue<string>().ShouldBe("Map of the Park Road closure");
        record["record"]!["facets"]![0]!["features"]![0]!["uri"]!.GetValue<string>().ShouldBe("https://council.example/news/park-road");

        // X: media upload, alt text metadata, then the post with the media id.
        var x = fake.Requests.Where(r => r.Network == "x").ToList();
        x.Select(r => r.Path).ShouldBe(["/x/2/media/upload", "/x/2/media/metadata", "/x/2/tweets"]);
        x[0].Form["media_category"].ShouldBe("tweet_image");
        var mediaId = JsonNode.Parse(x[1].Body)!["id"]!.GetValue<string>();
        JsonNode.Parse(x[1].Body)!["metadata"]!["alt_text"]!["text"]!.GetValue<string>().ShouldBe("Map of the Park Road closure");
        var tweet = JsonNode.Parse(x[2].Body)!;
        tweet["text"]!.GetValue<string>().ShouldBe(expectedText);
        tweet["media"]!["media_ids"]![0]!.GetValue<string>().ShouldBe(mediaId);

        // Facebook: the photo unpublished with its alt text, then the feed post attaching it.
        var fb = fake.Requests.Where(r => r.Network == "fb").ToList();
        fb.Select(r => r.Path).ShouldBe(["/fb/1234/photos", "/fb/1234/feed"]);
        fb[0].Form["published"].ShouldBe("false");
        fb[0].Form["alt_text_custom"].ShouldBe("Map of the Park Road closure");
        fb[0].Headers["Authorization"].ShouldBe("OAuth fb-token");
        fb[1].Form["message"].ShouldBe(expectedText);
        fb[1].Form["attached_media[0]"].ShouldContain("media_fbid");

        (fake.MastodonStatuses.Count, fake.BlueskyPosts.Count, fake.Tweets.Count, fake.FacebookPosts.Count).ShouldBe((1, 1, 1, 1));
        rows.ShouldAllBe(d => d.RemoteUrl != null && d.Attempts == 1);
    }

    [Fact]
    public async Task Rate_limits_and_server_errors_are_retried_a_refusal_leaves_the_others_published_and_retry_works()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await ChannelsAsync(factory, org, fake.BaseUrl);
        fake.Fail("mastodon", "/api/v1/statuses", 429);
        fake.Fail("mastodon", "/api/v1/statuses", 503, afterStoring: true);   // the status was made but the answer was lost
        fake.Fail("bsky", "createRecord", 502);
        fake.Fail("x", "/2/tweets", 403);                                      // X refuses: no automatic retries
        var created = await CreateAsync(factory, org, new PublicationRequest("Bins will be collected a day late.", [.. channels.Values.Select(c => new PublicationTarget(c))]));

        var rows = await SettledAsync(org.Id, created.Id!.Value, r => r.Count(d => d.State == DeliveryState.Delivered) == 3 && r.Any(d => d.State == DeliveryState.Failed));
        var mastodon = rows.Single(d => d.Kind == ChannelKind.Mastodon);
        mastodon.Attempts.ShouldBe(3);
        fake.MastodonStatuses.Count.ShouldBe(1);              // the same Idempotency-Key on every attempt
        fake.Requests.Count(r => r.Path.EndsWith("/api/v1/statuses", StringComparison.Ordinal)).ShouldBe(3);
        fake.Requests.Where(r => r.Path.EndsWith("/api/v1/statuses", StringComparison.Ordinal)).Select(r => r.Headers["Idempotency-Key"]).Distinct().Count().ShouldBe(1);
        fake.BlueskyPosts.Count.ShouldBe(1);
        fake.FacebookPosts.Count.ShouldBe(1);
        var x = rows.Single(d => d.Kind == ChannelKind.Twitter);
        x.State.ShouldBe(DeliveryState.Failed);
        x.LastError!.ShouldContain("403");
        fake.Tweets.Count.ShouldBe(0);

        // The failure is listed for comms staff, with retry; after "retry" it goes out once.
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var failures = await Inbox.InboxTestData.GetPageAsync(comms, "/publishing?failed=true");
        failures.QuerySelector($"[data-delivery-id='{x.Id}']")!.TextContent.ShouldContain("403");
        (await StaffClient.PostFormAsync(comms, "/publishing", "/publishing?handler=Retry", new Dictionary<string, string> { ["deliveryId"] = x.Id.ToString() }))
            .StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        await SettledAsync(org.Id, created.Id!.Value, r => r.All(d => d.State == DeliveryState.Delivered));
        fake.Tweets.Count.ShouldBe(1);
        // The publication's status follows its deliveries' (recorded just after the last delivery's row).
        await Eventually.TrueAsync(async () => (await Inbox.InboxTestData.WithDbAsync(factory, org.Id, db => db.Publications.SingleAsync(p => p.Id == created.Id))).Status == PublicationStatus.Published,
            "the publication to be marked published");
    }

    [Fact]
    public async Task A_post_that_may_already_be_on_x_and_facebook_is_found_by_reading_back_not_posted_again()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await ChannelsAsync(factory, org, fake.BaseUrl);
        // Both networks take the post, then the answer is lost (timeout/5xx): the next attempt must reconcile.
        fake.Fail("x", "/2/tweets", 500, afterStoring: true);
        fake.Fail("fb", "/feed", 500, afterStoring: true);
        var created = await CreateAsync(factory, org, new PublicationRequest("Library closed today, see https://council.example/libraries",
            [new PublicationTarget(channels[ChannelKind.Twitter]), new PublicationTarget(channels[ChannelKind.Facebook])]));
        var rows = await SettledAsync(org.Id, created.Id!.Value, r => r.All(d => d.State == DeliveryState.Delivered));
        fake.Tweets.Count.ShouldBe(1);
        fake.FacebookPosts.Count.ShouldBe(1);
        rows.Single(d => d.Kind == ChannelKind.Twitter).RemoteId.ShouldBe(fake.Tweets[0].Id);
        fake.Requests.ShouldContain(r => r.Path.StartsWith("/x/2/users/42/tweets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Texts_over_a_networks_limit_and_images_it_would_refuse_cannot_be_scheduled()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await ChannelsAsync(factory, org, fake.BaseUrl);
        var longText = string.Join(' ', Enumerable.Repeat("roadworks", 40));   // 399 characters: fine for Mastodon and Facebook
        var tooLong = await CreateAsync(factory, org, new PublicationRequest(longText, [new PublicationTarget(channels[ChannelKind.Twitter]), new PublicationTarget(channels[ChannelKind.Mastodon])]));
        tooLong.Succeeded.ShouldBeFalse();
        tooLong.Errors.Single().Message.ShouldContain("X allows 280");

        var threaded = await CreateAsync(factory, org, new PublicationRequest(longText, [new PublicationTarget(channels[ChannelKind.Twitter])], SplitIntoThread: true));
        threaded.Succeeded.ShouldBeTrue();

        var big = new byte[1_200_000];
        NewsroomTests.Png.CopyTo(big, 0);
        var tooBig = await CreateAsync(factory, org, new PublicationRequest("Photo", [new PublicationTarget(channels[ChannelKind.Bluesky]), new PublicationTarget(channels[ChannelKind.Mastodon])],
            [new PublicationImageInput("big.png", big, "A big photo")]));
        tooBig.Errors.Single().Message.ShouldBe("big.png is 1.1 MB; Bluesky accepts images up to 976.6 KB");

        var noAlt = await CreateAsync(factory, org, new PublicationRequest("Photo", [new PublicationTarget(channels[ChannelKind.Mastodon])], [new PublicationImageInput("a.png", NewsroomTests.Png, " ")]));
        noAlt.Errors.ShouldContain(e => e.Message.StartsWith("Enter alt text for a.png", StringComparison.Ordinal));
        var notImage = await CreateAsync(factory, org, new PublicationRequest("File", [new PublicationTarget(channels[ChannelKind.Mastodon])], [new PublicationImageInput("a.pdf", "%PDF-1.4"u8.ToArray(), "A file")]));
        notImage.Errors.ShouldContain(e => e.Message == "a.pdf is not a JPEG, PNG, GIF or WebP image");

        (await Inbox.InboxTestData.WithDbAsync(factory, org.Id, db => db.Publications.CountAsync())).ShouldBe(1);   // only the thread
    }

    [Fact]
    public async Task Two_workers_claiming_the_same_delivery_deliver_it_once()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await ChannelsAsync(factory, org, fake.BaseUrl);
        var created = await CreateAsync(factory, org, new PublicationRequest("Claim test", [new PublicationTarget(channels[ChannelKind.Twitter])],
            DueAt: DateTime.UtcNow.AddSeconds(3)));
        var id = (await DeliveriesAsync(org.Id, created.Id!.Value)).Single().Id;
        await Inbox.InboxTestData.WithDbAsync(factory, org.Id, db => db.PublicationDeliveries.Where(d => d.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, DateTime.UtcNow.AddSeconds(-1))));
        var dispatcher = factory.Services.GetRequiredService<PublicationDispatcher>();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => dispatcher.DeliverOneAsync(id, CancellationToken.None))));
        results.Count(r => r == true).ShouldBeLessThanOrEqualTo(1);
        await SettledAsync(org.Id, created.Id!.Value, r => r.All(d => d.State == DeliveryState.Delivered));
        fake.Tweets.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(ChannelKind.Bluesky, "👩‍👩‍👧 family", 8)]                 // one grapheme for the family emoji
    [InlineData(ChannelKind.Twitter, "Hello https://example.com/a/very/long/path/indeed", 29)]   // 6 + 23 (t.co)
    [InlineData(ChannelKind.Twitter, "日本語", 6)]                         // CJK counts 2
    [InlineData(ChannelKind.Twitter, "🙂 ok", 5)]                          // emoji 2, space 1, letters 1
    [InlineData(ChannelKind.Mastodon, "See https://example.com/a/very/long/path/indeed @alice@social.example", 4 + 23 + 1 + 6)]
    public void Lengths_follow_each_networks_counting_rule(ChannelKind kind, string text, int expected) =>
        NetworkRules.Measure(kind, text).Length.ShouldBe(expected);

    [Fact]
    public void A_long_text_splits_into_a_numbered_thread_that_fits_with_the_link_last()
    {
        var text = string.Join(' ', Enumerable.Repeat("gritting", 60));
        var parts = NetworkRules.Split(ChannelKind.Bluesky, text, "https://council.example/news/gritting", allowThread: true)!;
        parts.Count.ShouldBeGreaterThan(1);
        parts.ShouldAllBe(p => NetworkRules.Measure(ChannelKind.Bluesky, p).Fits);
        parts[^1].ShouldEndWith("https://council.example/news/gritting");
        parts[0].ShouldEndWith($"(1/{parts.Count})");
        NetworkRules.Split(ChannelKind.Bluesky, text, null, allowThread: false).ShouldBeNull();
    }
}
