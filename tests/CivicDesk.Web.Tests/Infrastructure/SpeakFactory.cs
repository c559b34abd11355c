using System.Collections.Concurrent;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// The app serving the public pages for one organisation (so incident banners, myths and facts and the FAQ can be
/// read as a citizen), with a recording <see cref="IBroadcaster"/> standing in for the publishing service at its
/// boundary.
/// </summary>
public class SpeakFactory : CivicDeskFactory
{
    public const string Slug = "speak-tests";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TestOrganisation? _org;

    public RecordingBroadcaster Broadcaster { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Public:OrganisationSlug", Slug),
        new("Incidents:LiveRefreshSeconds", "1"),
        new("Rumours:ReplySpacing", "00:01:00"),
    ];

    /// <summary>False: incident updates and rebuttals go through the real publishing service (to fake networks).</summary>
    protected virtual bool RecordBroadcasts => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (RecordBroadcasts)
        {
            builder.ConfigureTestServices(s => s.AddScoped<IBroadcaster>(_ => Broadcaster));
        }
    }

    /// <summary>The organisation the public pages serve, created once per factory.</summary>
    public async Task<TestOrganisation> OrganisationAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _org ??= await TestOrganisation.CreateAsync(this, Slug);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<long> SocialChannelAsync(TestOrganisation org, ChannelKind kind, string name)
    {
        await using var scope = ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var channel = new Channel { OrganisationId = org.Id, Kind = kind, Name = name, Account = "@council", CreatedAt = DateTime.UtcNow };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        return channel.Id;
    }

    /// <summary>A citizen's message through the real ingest pipeline; returns (message id, conversation id).</summary>
    public async Task<(long MessageId, long ConversationId)> MessageAsync(TestOrganisation org, string text, long? channelId = null, ChannelKind kind = ChannelKind.WebForm,
        string? handle = null, double? lat = null, double? lon = null, DateTime? createdAt = null)
    {
        var pipeline = Services.GetRequiredService<IngestPipeline>();
        var outcome = await pipeline.SubmitAsync(new IngestBatch(org.Id, channelId ?? org.WebFormChannelId, kind,
            [new InboundPost("post-" + Guid.NewGuid().ToString("N"), text, handle ?? "citizen-" + Guid.NewGuid().ToString("N")[..8],
                CreatedAt: createdAt, Latitude: lat, Longitude: lon)]), CancellationToken.None);
        var item = outcome.Items.Single();
        return (item.MessageId, item.ConversationId);
    }

    public async Task<T> WithDbAsync<T>(long organisationId, Func<CivicDeskDb, Task<T>> work)
    {
        await using var scope = ScopeFor(organisationId);
        return await work(scope.ServiceProvider.GetRequiredService<CivicDeskDb>());
    }

    public Task<List<AuditEvent>> AuditAsync(long organisationId, string action) =>
        WithDbAsync(organisationId, db => db.AuditEvents.Where(a => a.Action == action).OrderBy(a => a.Sequence).ToListAsync());
}

/// <summary>Records what would go to the publishing service; answers with a reference and "Queued" per channel.</summary>
public sealed class RecordingBroadcaster : IBroadcaster
{
    public ConcurrentQueue<BroadcastRequest> Requests { get; } = new();

    /// <summary>Accepts every post: the networks' own rules are the publishing service's (tested with it).</summary>
    public Task<IReadOnlyList<BroadcastProblem>> CheckAsync(BroadcastCheck check, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BroadcastProblem>>([]);

    public Task<string?> SubmitAsync(BroadcastRequest request, CancellationToken ct)
    {
        Requests.Enqueue(request);
        return Task.FromResult<string?>($"pub-{request.Source}-{request.SourceId}");
    }

    public Task<IReadOnlyList<BroadcastChannelState>> StatesAsync(long organisationId, string? reference, IReadOnlyList<long> channelIds, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BroadcastChannelState>>(channelIds
            .Select(id => new BroadcastChannelState(id, reference is null ? UnavailableBroadcaster.NotSent : "Queued", reference, null)).ToList());

    /// <summary>A plain character count against a 100-character limit, so a form's live count is visible in tests.</summary>
    public BroadcastLength? Measure(ChannelKind kind, string text, string? link)
    {
        var length = (text + (link is null ? "" : "\n\n" + link)).Length;
        return new BroadcastLength(length, 100, "characters", kind.ToString());
    }
}
