using System.Net;
using AngleSharp.Html.Parser;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Admin;

public sealed class ChannelsPageTests : IClassFixture<CivicDeskFactory>
{
    private static readonly HtmlParser Parser = new();
    private readonly CivicDeskFactory _factory;

    public ChannelsPageTests(CivicDeskFactory factory) => _factory = factory;

    [Theory]
    [InlineData("Agent")]
    [InlineData("TeamLead")]
    [InlineData("Analyst")]
    public async Task Only_admins_may_open_the_channels_page(string role)
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, role);

        var response = await client.GetAsync("/admin/channels");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/access-denied");
    }

    [Fact]
    public async Task Admin_sees_the_organisations_channels_only()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, "Admin");

        var html = Parser.ParseDocument(await client.GetStringAsync("/admin/channels"));

        var rows = html.QuerySelectorAll("#channels tbody tr");
        rows.Select(r => r.GetAttribute("data-channel-id")).ShouldBe([org.ApiChannelId.ToString(), org.WebFormChannelId.ToString()], ignoreOrder: true);
        var api = rows.Single(r => r.GetAttribute("data-channel-id") == org.ApiChannelId.ToString());
        api.TextContent.ShouldContain("Api");
        api.TextContent.ShouldContain("Active");
        api.QuerySelectorAll("td")[4].TextContent.Trim().ShouldBe("Yes");
    }

    [Fact]
    public async Task Creating_an_api_channel_shows_its_key_once_stores_only_the_hash_and_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(client, "/admin/channels", "/admin/channels?handler=Create",
            new Dictionary<string, string> { ["NewChannel.Name"] = "Contact centre CRM" });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var key = Parser.ParseDocument(await response.Content.ReadAsStringAsync()).QuerySelector("#new-api-key")!.TextContent.Trim();
        key.ShouldStartWith("cdk_");
        (await client.GetStringAsync("/admin/channels")).ShouldNotContain(key);

        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var channel = await db.Channels.SingleAsync(c => c.Name == "Contact centre CRM");
        channel.Kind.ShouldBe(ChannelKind.Api);
        channel.IsActive.ShouldBeTrue();
        channel.ApiKeyHash.ShouldBe(ApiKeys.Hash(key));
        var audit = await db.AuditEvents.SingleAsync(a => a.Action == "channel.created" && a.TargetId == channel.Id.ToString());
        audit.ActorId.ShouldBe(org.Staff["Admin"].Id);
        (audit.After ?? "").ShouldNotContain(key);
        (audit.After ?? "").ShouldNotContain(channel.ApiKeyHash!);
    }

    [Fact]
    public async Task A_channel_needs_a_name()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(client, "/admin/channels", "/admin/channels?handler=Create",
            new Dictionary<string, string> { ["NewChannel.Name"] = "" });

        var html = Parser.ParseDocument(await response.Content.ReadAsStringAsync());
        html.Title!.ShouldStartWith("Error: ");
        html.QuerySelector(".govuk-error-summary a[href='#new-channel-name']")!.TextContent.ShouldBe("Enter a name for the channel");
        await using var scope = _factory.ScopeFor(org.Id);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Channels.CountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task Rotating_a_key_replaces_the_old_one_and_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(client, "/admin/channels", "/admin/channels?handler=Rotate",
            new Dictionary<string, string> { ["id"] = org.ApiChannelId.ToString() });

        var key = Parser.ParseDocument(await response.Content.ReadAsStringAsync()).QuerySelector("#new-api-key")!.TextContent.Trim();
        key.ShouldNotBe(org.ApiKey);
        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var channel = await db.Channels.SingleAsync(c => c.Id == org.ApiChannelId);
        channel.ApiKeyHash.ShouldBe(ApiKeys.Hash(key));
        channel.ApiKeyHash.ShouldNotBe(ApiKeys.Hash(org.ApiKey));
        (await db.AuditEvents.CountAsync(a => a.Action == "channel.key-rotated" && a.TargetId == org.ApiChannelId.ToString())).ShouldBe(1);
    }

    [Fact]
    public async Task Deactivating_and_reactivating_a_channel_is_audited()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, "Admin");

        await StaffClient.PostFormAsync(client, "/admin/channels", "/admin/channels?handler=Deactivate",
            new Dictionary<string, string> { ["id"] = org.ApiChannelId.ToString() });
        bool active;
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            active = (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Channels.SingleAsync(c => c.Id == org.ApiChannelId)).IsActive;
        }

        active.ShouldBeFalse();
        await StaffClient.PostFormAsync(client, "/admin/channels", "/admin/channels?handler=Activate",
            new Dictionary<string, string> { ["id"] = org.ApiChannelId.ToString() });

        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.Channels.SingleAsync(c => c.Id == org.ApiChannelId)).IsActive.ShouldBeTrue();
            (await db.AuditEvents.Where(a => a.TargetType == "Channel" && a.TargetId == org.ApiChannelId.ToString()).Select(a => a.Action).ToListAsync())
                .ShouldBe(["channel.deactivated", "channel.activated"]);
        }
    }

    [Fact]
    public async Task Another_organisations_channel_cannot_be_changed()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var other = await TestOrganisation.CreateAsync(_factory);
        var client = await StaffClient.SignInAsync(_factory, org, "Admin");

        var response = await StaffClient.PostFormAsync(client, "/admin/channels", "/admin/channels?handler=Deactivate",
            new Dictionary<string, string> { ["id"] = other.ApiChannelId.ToString() });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using var scope = _factory.ScopeFor(other.Id);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Channels.SingleAsync(c => c.Id == other.ApiChannelId)).IsActive.ShouldBeTrue();
    }
}
