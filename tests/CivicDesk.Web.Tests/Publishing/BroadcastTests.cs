using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Platform;
using System.Net;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Connectors;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Incidents;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Rumours;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Publishing;

/// <summary>The speaking features with the real publishing service behind them (fake networks on 127.0.0.1).</summary>
public sealed class SpeakPublishingFactory : SpeakFactory
{
    protected override bool RecordBroadcasts => false;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("Publishing:RetryBaseDelay", "00:00:01"),
        new("Publishing:SweepInterval", "00:00:01"),
    ];
}

/// <summary>
/// Incident updates and rumour rebuttals go out through the publication service: each network's rules checked on
/// the form, the photo through each media API with its alt text, the live page's link, one post per update however
/// often it is sent, and the state per channel shown to staff.
/// </summary>
public sealed class BroadcastTests(SpeakPublishingFactory factory) : IClassFixture<SpeakPublishingFactory>
{
    private static async Task<List<PublicationDelivery>> DeliveriesAsync(SpeakFactory factory, long orgId, string source) =>
        await factory.WithDbAsync(orgId, db => db.Publications.Where(p => p.Source == source)
            .SelectMany(p => p.Deliveries).AsNoTracking().ToListAsync());

    [Fact]
    public async Task The_live_count_on_the_incident_and_rebuttal_forms_uses_each_networks_own_rule()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var broadcaster = scope.ServiceProvider.GetRequiredService<IBroadcaster>();
        broadcaster.ShouldBeOfType<PublishingBroadcaster>();
        var link = "https://council.example/incidents/a-rather-long-slug-for-the-river-flooding-incident-2026";
        var thumbs = string.Concat(Enumerable.Repeat("👍🏽", 10)); // 10 graphemes, 40 UTF-16 units

        // Bluesky counts graphemes and the link in full; X and Mastodon count any link as 23.
        broadcaster.Measure(ChannelKind.Bluesky, thumbs, link).ShouldBe(new BroadcastLength(10 + 2 + link.Length, 300, "graphemes", "Bluesky"));
        broadcaster.Measure(ChannelKind.Mastodon, "Roads closed", link)!.Length.ShouldBe(12 + 2 + 23);
        var x = broadcaster.Measure(ChannelKind.Twitter, new string('a', 260), link)!;
        x.Length.ShouldBe(260 + 2 + 23);
        x.Fits.ShouldBeFalse();
        x.Words.ShouldBe("285 of 280 weighted characters (links count 23) with the link: too long for X");
        broadcaster.Measure(ChannelKind.WebForm, "Roads closed", link).ShouldBeNull("nothing is posted to a web form");
    }

    [Fact]
    public async Task An_incident_update_with_a_photo_goes_to_every_chosen_network_with_its_alt_text_and_the_live_link_once()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await factory.OrganisationAsync();
        var channels = await PublishingTests.ChannelsAsync(factory, org, fake.BaseUrl);
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await IncidentPagesTests.DeclareAsync(comms, IncidentPagesTests.Circle("Broadcast flood"));
        var slug = await factory.WithDbAsync(org.Id, db => db.Incidents.Where(i => i.Id == id).Select(i => i.Slug).SingleAsync());

        var response = await IncidentPagesTests.PostUpdateAsync(comms, id, "Sandbags at the Town Hall until 8pm.", IncidentPagesTests.Png,
            alt: "Sandbags stacked by the Town Hall door", channels: [.. channels.Values]);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        var update = await factory.WithDbAsync(org.Id, db => db.IncidentUpdates.SingleAsync(u => u.IncidentId == id));
        var source = $"incident-update:{update.Id}";
        await Eventually.TrueAsync(async () => (await DeliveriesAsync(factory, org.Id, source)).Count(d => d.State == DeliveryState.Delivered) == 4,
            "the update delivered to the four networks");

        var expected = $"Sandbags at the Town Hall until 8pm.\n\nhttp://localhost/incidents/{slug}";
        var masto = fake.Requests.Where(r => r.Network == "mastodon").ToList();
        masto[0].Form["description"].ShouldBe("Sandbags stacked by the Town Hall door");
        masto[0].Files.Single().Data.ShouldBe(IncidentPagesTests.Png);
        JsonNode.Parse(masto[1].Body)!["status"]!.GetValue<string>().ShouldBe(expected);
        var record = JsonNode.Parse(fake.Requests.Single(r => r.Path.EndsWith("createRecord", StringComparison.Ordinal)).Body)!;
        record["record"]!["text"]!.GetValue<string>().ShouldBe(expected);
        record["record"]!["embed"]!["images"]![0]!["alt"]!.GetValue<string>().ShouldBe("Sandbags stacked by the Town Hall door");
        JsonNode.Parse(fake.Requests.Single(r => r.Path.EndsWith("/x/2/media/metadata", StringComparison.Ordinal)).Body)!["metadata"]!["alt_text"]!["text"]!
            .GetValue<string>().ShouldBe("Sandbags stacked by the Town Hall door");
        fake.Requests.Single(r => r.Path.EndsWith("/fb/1234/photos", StringComparison.Ordinal)).Form["alt_text_custom"].ShouldBe("Sandbags stacked by the Town Hall door");
        (fake.MastodonStatuses.Count, fake.BlueskyPosts.Count, fake.Tweets.Count, fake.FacebookPosts.Count).ShouldBe((1, 1, 1, 1));

        // Staff see where each copy is, with its link on the network.
        var manage = await InboxTestData.GetPageAsync(comms, $"/comms/incidents/{id}");
        var row = manage.QuerySelector($"#update-{update.Id}") ?? manage.DocumentElement;
        row.TextContent.ShouldContain("Sent");
        row.TextContent.ShouldNotContain("Not sent");

        // Sending the same update again (the "send again" after a failure) never posts a second copy.
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var broadcaster = scope.ServiceProvider.GetRequiredService<Web.Platform.IBroadcaster>();
            var again = await broadcaster.SubmitAsync(new Web.Platform.BroadcastRequest(org.Id, "incident-update", update.Id, update.Text, null, [.. channels.Values], []), CancellationToken.None);
            again.ShouldBe(update.PublicationReference);
        }

        (await factory.WithDbAsync(org.Id, db => db.Publications.CountAsync(p => p.Source == source))).ShouldBe(1);
        (await DeliveriesAsync(factory, org.Id, source)).ShouldAllBe(d => d.State == DeliveryState.Delivered && d.Attempts == 1);
    }

    [Fact]
    public async Task The_update_form_applies_each_networks_own_limits_before_anything_is_saved()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await factory.OrganisationAsync();
        var channels = await PublishingTests.ChannelsAsync(factory, org, fake.BaseUrl);
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await IncidentPagesTests.DeclareAsync(comms, IncidentPagesTests.Circle("Limits flood"));

        // 270 characters: within Mastodon's 500 and Bluesky's 300 alone, but with the live link X's 280 (a link is 23) is exceeded.
        var text = string.Join(' ', Enumerable.Repeat("Flooding", 40))[..270];
        var tooLong = await IncidentPagesTests.PostUpdateAsync(comms, id, text, channels: [channels[ChannelKind.Twitter], channels[ChannelKind.Mastodon]]);
        tooLong.StatusCode.ShouldBe(HttpStatusCode.OK);
        var summary = (await InboxTestData.ParseAsync(await tooLong.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent;
        summary.ShouldContain("X allows 280");
        summary.ShouldNotContain("Mastodon allows");

        // A photo over Bluesky's 1,000,000 bytes is refused with the limit named; other networks take it.
        var big = new byte[1_200_000];
        IncidentPagesTests.Png.CopyTo(big, 0);
        var tooBig = await IncidentPagesTests.PostUpdateAsync(comms, id, "Sandbags", big, alt: "Sandbags", channels: [channels[ChannelKind.Bluesky]]);
        (await InboxTestData.ParseAsync(await tooBig.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent
            .ShouldContain("Bluesky accepts images up to");
        (await factory.WithDbAsync(org.Id, db => db.IncidentUpdates.CountAsync(u => u.IncidentId == id))).ShouldBe(0, "nothing saved");
        fake.Requests.ShouldBeEmpty();

        (await IncidentPagesTests.PostUpdateAsync(comms, id, text)).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the web page alone takes it");
    }

    [Fact]
    public async Task A_rebuttal_goes_to_the_chosen_networks_with_the_myths_and_facts_link()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await factory.OrganisationAsync();
        var channels = await PublishingTests.ChannelsAsync(factory, org, fake.BaseUrl);
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await RumourPagesTests.ClaimAsync(comms, "The park is being sold for housing");

        (await StaffClient.PostFormAsync(comms, $"/comms/rumours/{id}", $"/comms/rumours/{id}?handler=Verdict", new Dictionary<string, string>
        {
            ["Verdict"] = "False", ["Facts"] = "The park is not for sale.", ["Rebuttal"] = "The park is not for sale: it stays a park.",
            ["ChannelIds"] = channels[ChannelKind.Mastodon].ToString(System.Globalization.CultureInfo.InvariantCulture),
        })).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        await Eventually.TrueAsync(() => Task.FromResult(fake.MastodonStatuses.Count == 1), "the rebuttal on Mastodon");
        fake.MastodonStatuses.Single().Text.ShouldBe($"The park is not for sale: it stays a park.\n\nhttp://localhost/myths-and-facts#claim-{id}");
        (fake.BlueskyPosts.Count, fake.Tweets.Count, fake.FacebookPosts.Count).ShouldBe((0, 0, 0));
        await Eventually.TrueAsync(async () => (await InboxTestData.GetPageAsync(comms, $"/comms/rumours/{id}")).Body!.TextContent.Contains("Sent", StringComparison.Ordinal),
            "the claim page to show the rebuttal sent");
    }
}
