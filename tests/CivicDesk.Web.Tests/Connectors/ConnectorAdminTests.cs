using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>The admin page: secrets encrypted at rest, never rendered or audited, settings saved, health shown.</summary>
public sealed class ConnectorAdminTests(ConnectorFactory factory) : IClassFixture<ConnectorFactory>
{
    private const string Secret = "sk-live-7Yq2pV9mZx4Lw8Rt";

    [Fact]
    public async Task A_secret_is_encrypted_at_rest_never_rendered_nor_audited_and_an_empty_box_keeps_it()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        var created = await StaffClient.PostFormAsync(admin, "/admin/connectors", "/admin/connectors?handler=Create",
            new Dictionary<string, string> { ["kind"] = FakeConnector.FakeKind.ToString(), ["name"] = "Fake council account", ["account"] = "@fake.council" });
        created.EnsureSuccessStatusCode();
        long channelId;
        await using (var scope = factory.ScopeFor(org.Id))
        {
            channelId = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Channels.Where(c => c.Name == "Fake council account").Select(c => c.Id).SingleAsync();
        }

        var saved = await StaffClient.PostFormAsync(admin, "/admin/connectors", "/admin/connectors?handler=Save", new Dictionary<string, string>
        {
            ["channelId"] = channelId.ToString(), ["values[base_url]"] = "http://127.0.0.1:9/", ["values[token]"] = Secret,
        });
        var html = await saved.Content.ReadAsStringAsync();
        html.ShouldNotContain(Secret);
        html.ShouldContain("Set — enter a new value to replace it.");
        html.ShouldContain("http://127.0.0.1:9/");

        // Saved again with the secret box empty: the secret stays.
        (await StaffClient.PostFormAsync(admin, "/admin/connectors", "/admin/connectors?handler=Save", new Dictionary<string, string>
        {
            ["channelId"] = channelId.ToString(), ["values[base_url]"] = "http://127.0.0.1:9/", ["values[token]"] = "",
        })).EnsureSuccessStatusCode();

        (await admin.GetStringAsync("/admin/connectors")).ShouldNotContain(Secret);
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var row = await db.ChannelConnections.SingleAsync(c => c.ChannelId == channelId);
            row.ProtectedSecrets.ShouldNotBeNull();
            row.ProtectedSecrets.ShouldNotContain(Secret);
            row.SettingsJson.ShouldNotContain(Secret);
            var audits = await db.AuditEvents.Where(a => a.Action == "connector.configured").ToListAsync();
            audits.Count.ShouldBe(2);
            audits.ShouldAllBe(a => !(a.Before ?? "").Contains(Secret) && !(a.After ?? "").Contains(Secret));
            audits[0].After!.ShouldContain("token");
            var context = await scope.ServiceProvider.GetRequiredService<ConnectorContexts>().CreateAsync(channelId, CancellationToken.None);
            context!.Secrets["token"].ShouldBe(Secret);
            context.Settings["base_url"].ShouldBe("http://127.0.0.1:9/");
        }

        if (CivicDeskFactory.Provider == DatabaseProvider.Sqlite)
        {
            // The raw database files hold no copy of the secret anywhere (tables, WAL).
            foreach (var file in Directory.GetFiles(factory.DataDirectory, "civicdesk.db*"))
            {
                await using var read = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var buffer = new MemoryStream();
                await read.CopyToAsync(buffer);
                System.Text.Encoding.Latin1.GetString(buffer.ToArray()).ShouldNotContain(Secret);
            }
        }
    }

    [Fact]
    public async Task Enabling_without_a_required_secret_is_refused_with_an_error()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        (await StaffClient.PostFormAsync(admin, "/admin/connectors", "/admin/connectors?handler=Create",
            new Dictionary<string, string> { ["kind"] = FakeConnector.FakeKind.ToString(), ["name"] = "No token yet" })).EnsureSuccessStatusCode();
        long channelId;
        await using (var scope = factory.ScopeFor(org.Id))
        {
            channelId = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Channels.Where(c => c.Name == "No token yet").Select(c => c.Id).SingleAsync();
        }

        var response = await StaffClient.PostFormAsync(admin, "/admin/connectors", "/admin/connectors?handler=Save",
            new Dictionary<string, string> { ["channelId"] = channelId.ToString(), ["enabled"] = "true" });
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("There is a problem");
        html.ShouldContain("Enter access token before enabling the connector");
    }

    [Fact]
    public async Task The_page_is_for_admins_only()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");
        var response = await agent.GetAsync("/admin/connectors");
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("access-denied");
    }

    [Fact]
    public async Task The_page_shows_a_running_connectors_health()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var stream = new FakeStream { Posts = [new("h1", "hello", "@x", IsDirect: true), new("h2", "hello again", "@y", IsDirect: true)], NetworkTime = DateTime.UtcNow.AddMinutes(-2) };
        var channelId = await factory.AddFakeChannelAsync(org, enabled: true, stream: stream);
        await stream.Drained.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");

        var html = await admin.GetStringAsync("/admin/connectors");

        html.ShouldContain($"id=\"connector-{channelId}\"");
        html.ShouldContain("Connected");
        html.ShouldMatch(@"data-health=""events-per-minute"">2<");
        html.ShouldMatch(@"data-health=""lag"">1[0-9]{2} seconds<");
    }
}
