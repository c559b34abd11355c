using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Webhooks;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Webhooks;

public sealed class WebhookFactory : CivicDeskFactory
{
    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Webhooks:WorkerEnabled", "false"),
        new("Webhooks:AllowInsecureUrls", "true"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>Signed delivery, retry with backoff, giving up after 24 hours and redelivery, against a real receiver on 127.0.0.1.</summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private const string Secret = "whsec_test-secret-0123456789";
    private readonly WebhookFactory _factory = new();
    private WebhookReceiver _receiver = null!;
    private TestOrganisation _org = null!;
    private long _subscriptionId;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _org = await TestOrganisation.CreateAsync(_factory);
        await using var scope = _factory.ScopeFor(_org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var subscription = new WebhookSubscription
        {
            OrganisationId = _org.Id, Url = _receiver.Url, EventTypes = "case.created case.closed",
            ProtectedSecret = Dispatcher.Protect(Secret), CreatedAt = DateTime.UtcNow,
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync();
        _subscriptionId = subscription.Id;
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _factory.Dispose();
    }

    private WebhookDispatcher Dispatcher => _factory.Services.GetRequiredService<WebhookDispatcher>();

    private static WebhookEvent Event(string type) => new(Guid.NewGuid(), type, DateTime.UtcNow, "demo",
        new WebhookCase("CS-7K3F9Q", "potholes", "InProgress", "open", "Highways", "Normal", 51.9, -2.07, DateTime.UtcNow.AddHours(-2), DateTime.UtcNow,
            DateTime.UtcNow.AddDays(2), "https://civicdesk.example/status/CS-7K3F9Q"));

    private async Task<int> EnqueueAsync(WebhookEvent e)
    {
        await using var scope = _factory.ScopeFor(_org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var added = await Dispatcher.EnqueueAsync(db, _org.Id, e, default);
        await db.SaveChangesAsync();
        return added;
    }

    private async Task<WebhookDelivery> DeliveryAsync(Guid eventId)
    {
        await using var scope = _factory.ScopeFor(_org.Id);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().WebhookDeliveries.AsNoTracking().SingleAsync(d => d.EventId == eventId);
    }

    /// <summary>An independent check of the documented scheme: HMAC-SHA256 over "t.body" with the secret, hex, lower-case.</summary>
    private static void ShouldBeSignedCorrectly(WebhookReceiver.Received received, DateTimeOffset at)
    {
        var header = received.Headers["X-CivicDesk-Signature"];
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        parts["t"].ShouldBe(at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(parts["t"] + "." + received.Body))).ToLowerInvariant();
        parts["v1"].ShouldBe(expected);
    }

    [Fact]
    public async Task A_failing_receiver_gets_retries_with_growing_delays_until_it_answers_2xx()
    {
        _receiver.Answers.Enqueue(500);
        _receiver.Answers.Enqueue(503);
        var e = Event("case.created");
        (await EnqueueAsync(e)).ShouldBe(1);

        (await Dispatcher.SendDueAsync(default)).ShouldBe(1);
        var first = await DeliveryAsync(e.Id);
        first.Status.ShouldBe(WebhookDeliveryStatus.Pending);
        first.Attempts.ShouldBe(1);
        first.LastResponseCode.ShouldBe(500);
        var firstDelay = first.NextAttemptAt - _factory.Clock.GetUtcNow().UtcDateTime;
        firstDelay.TotalSeconds.ShouldBeInRange(24, 36); // 30 s ± 20% jitter

        (await Dispatcher.SendDueAsync(default)).ShouldBe(0); // not due yet: nothing is sent early
        _factory.Clock.Advance(TimeSpan.FromSeconds(37));
        (await Dispatcher.SendDueAsync(default)).ShouldBe(1);
        var second = await DeliveryAsync(e.Id);
        second.LastResponseCode.ShouldBe(503);
        (second.NextAttemptAt - _factory.Clock.GetUtcNow().UtcDateTime).TotalSeconds.ShouldBeInRange(48, 72); // doubled

        _factory.Clock.Advance(TimeSpan.FromSeconds(73));
        var sentAt = _factory.Clock.GetUtcNow();
        (await Dispatcher.SendDueAsync(default)).ShouldBe(1);
        var done = await DeliveryAsync(e.Id);
        done.Status.ShouldBe(WebhookDeliveryStatus.Delivered);
        done.Attempts.ShouldBe(3);
        done.LastResponseCode.ShouldBe(200);

        var received = _receiver.Requests.ToList();
        received.Count.ShouldBe(3);
        received.Select(r => r.Body).Distinct().ShouldHaveSingleItem(); // every attempt sends the same bytes
        received.Select(r => r.Headers["X-CivicDesk-Delivery"]).Distinct().ShouldBe([e.Id.ToString()]);
        received.ShouldAllBe(r => r.Headers["X-CivicDesk-Event"] == "case.created");
        ShouldBeSignedCorrectly(received[^1], sentAt);
        WebhookSigner.Verify(Secret, received[^1].Headers["X-CivicDesk-Signature"], received[^1].Body, sentAt, TimeSpan.FromMinutes(5)).ShouldBeTrue();
        WebhookSigner.Verify("whsec_wrong", received[^1].Headers["X-CivicDesk-Signature"], received[^1].Body, sentAt, TimeSpan.FromMinutes(5)).ShouldBeFalse();
        WebhookSigner.Verify(Secret, received[^1].Headers["X-CivicDesk-Signature"], received[^1].Body + " ", sentAt, TimeSpan.FromMinutes(5)).ShouldBeFalse();
        WebhookSigner.Verify(Secret, received[^1].Headers["X-CivicDesk-Signature"], received[^1].Body, sentAt.AddMinutes(6), TimeSpan.FromMinutes(5)).ShouldBeFalse();

        using var body = JsonDocument.Parse(received[0].Body);
        body.RootElement.EnumerateObject().Select(p => p.Name).ShouldBe(["id", "type", "occurred_at", "organisation", "case"]);
        body.RootElement.GetProperty("case").GetProperty("reference").GetString().ShouldBe("CS-7K3F9Q");
        body.RootElement.GetProperty("case").GetProperty("open311_status").GetString().ShouldBe("open");
    }

    [Fact]
    public async Task Retries_stop_after_24_hours_and_a_redelivery_from_the_log_page_succeeds()
    {
        var e = Event("case.closed");
        await EnqueueAsync(e);
        for (var i = 0; i < 200; i++)
        {
            _receiver.Answers.Enqueue(500);
        }

        var start = _factory.Clock.GetUtcNow();
        WebhookDelivery delivery;
        do
        {
            await Dispatcher.SendDueAsync(default);
            delivery = await DeliveryAsync(e.Id);
            _factory.Clock.Advance(TimeSpan.FromMinutes(5));
        }
        while (delivery.Status == WebhookDeliveryStatus.Pending && _factory.Clock.GetUtcNow() - start < TimeSpan.FromHours(30));

        delivery.Status.ShouldBe(WebhookDeliveryStatus.Failed);
        (_factory.Clock.GetUtcNow() - start).ShouldBeGreaterThan(TimeSpan.FromHours(21)); // it kept trying for about a day (the last wait is up to 2.4 h)
        (_factory.Clock.GetUtcNow() - start).ShouldBeLessThan(TimeSpan.FromHours(25));
        delivery.Attempts.ShouldBeInRange(10, 30); // backoff, not a retry every five minutes (that would be ~290)
        var attemptsWhenFailed = delivery.Attempts;
        _factory.Clock.Advance(TimeSpan.FromHours(3));
        (await Dispatcher.SendDueAsync(default)).ShouldBe(0);

        _receiver.Answers.Clear();
        var admin = await StaffClient.SignInAsync(_factory, _org, Roles.Admin);
        var page = await StaffClient.PostFormAsync(admin, "/admin/webhooks", "/admin/webhooks?handler=Redeliver",
            new Dictionary<string, string> { ["id"] = delivery.Id.ToString(CultureInfo.InvariantCulture) });
        page.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await Dispatcher.SendDueAsync(default)).ShouldBe(1);

        var redelivered = await DeliveryAsync(e.Id);
        redelivered.Status.ShouldBe(WebhookDeliveryStatus.Delivered);
        redelivered.Attempts.ShouldBe(attemptsWhenFailed + 1);
        await using var scope = _factory.ScopeFor(_org.Id);
        var audit = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.AsNoTracking()
            .Where(a => a.Action == "webhook.redelivered").ToListAsync();
        audit.ShouldHaveSingleItem().TargetId.ShouldBe(delivery.Id.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Only_subscribed_event_types_are_queued_and_an_event_is_queued_once()
    {
        (await EnqueueAsync(Event("case.updated"))).ShouldBe(0);
        var e = Event("case.created");
        (await EnqueueAsync(e)).ShouldBe(1);
        (await EnqueueAsync(e)).ShouldBe(0);
    }

    [Fact]
    public async Task The_secret_is_stored_encrypted()
    {
        await using var scope = _factory.ScopeFor(_org.Id);
        var stored = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().WebhookSubscriptions.AsNoTracking().SingleAsync(s => s.Id == _subscriptionId);
        stored.ProtectedSecret.ShouldNotContain(Secret);
        stored.ProtectedSecret.ShouldNotContain("test-secret");
    }
}

/// <summary>Case changes (the CaseEvent outbox) become signed deliveries.</summary>
public sealed class WebhookOutboxTests : IAsyncLifetime
{
    private readonly WebhookFactory _factory = new();
    private WebhookReceiver _receiver = null!;
    private TestOrganisation _org = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _org = await TestOrganisation.CreateAsync(_factory);
        await using var scope = _factory.ScopeFor(_org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.CaseServices.Add(new CaseService { OrganisationId = _org.Id, Code = "potholes", Name = "Potholes", TeamId = _org.Teams["Highways"], CreatedAt = DateTime.UtcNow });
        db.WebhookSubscriptions.Add(new WebhookSubscription
        {
            OrganisationId = _org.Id, Url = _receiver.Url, EventTypes = "case.created case.updated case.closed",
            ProtectedSecret = _factory.Services.GetRequiredService<WebhookDispatcher>().Protect("whsec_outbox"), CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _factory.Dispose();
    }

    [Fact]
    public async Task Created_and_closed_cases_are_delivered_once_without_personal_data()
    {
        string reference;
        await using (var scope = _factory.ScopeFor(_org.Id))
        {
            var commands = scope.ServiceProvider.GetRequiredService<Web.Features.Cases.CaseCommands>();
            var created = await commands.CreateAsync(new Web.Features.Cases.NewCase
            {
                ServiceCode = "potholes", Title = "Pothole", Description = "Outside number 4", Source = CaseSource.Staff,
                Contacts = [new Web.Features.Cases.ReporterContact("Private Person", "private@example.org", null)],
            }, default);
            reference = created.Case!.Reference;
            await commands.ChangeStatusAsync(created.Case.Id, CaseStatus.Fixed, "Filled", isPublic: false, default);
        }

        var outbox = _factory.Services.GetRequiredService<WebhookOutbox>();
        (await outbox.PublishPendingAsync(default)).ShouldBeGreaterThanOrEqualTo(2);
        (await outbox.PublishPendingAsync(default)).ShouldBe(0); // the cursor moved with the deliveries
        await _factory.Services.GetRequiredService<WebhookDispatcher>().SendDueAsync(default);

        var received = _receiver.Requests.ToList();
        received.Select(r => r.Headers["X-CivicDesk-Event"]).ShouldBe(["case.created", "case.closed"]);
        received.ShouldAllBe(r => r.Body.Contains(reference));
        received.ShouldAllBe(r => !r.Body.Contains("private@example.org") && !r.Body.Contains("Private Person") && !r.Body.Contains("Outside number 4"));
        using var closed = JsonDocument.Parse(received[1].Body);
        closed.RootElement.GetProperty("case").GetProperty("open311_status").GetString().ShouldBe("closed");
        closed.RootElement.GetProperty("case").GetProperty("team").GetString().ShouldBe("Highways");
        closed.RootElement.GetProperty("organisation").GetString().ShouldBe(_org.Slug);
    }
}
