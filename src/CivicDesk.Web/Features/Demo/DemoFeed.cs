using System.Security.Cryptography;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Demo;

/// <summary>
/// The living inbox (demo mode only): every few seconds one more report or mention arrives through the ingest pipeline,
/// so someone new to CivicDesk sees the inbox change within a minute.
/// </summary>
public sealed class DemoFeed(
    DemoStartup startup,
    IServiceScopeFactory scopes,
    IngestPipeline pipeline,
    DemoDataSource data,
    TimeProvider clock,
    IOptions<DemoOptions> options,
    ILogger<DemoFeed> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Seeded messages first, so the live ones arrive after them.
        try
        {
            await startup.Completion.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception)
        {
            // Seeding failed (DemoStartup logged why): the feed still keeps the inbox moving.
        }

        var o = options.Value;
        var min = Math.Min(o.FeedMinSeconds, o.FeedMaxSeconds);
        var max = Math.Max(o.FeedMinSeconds, o.FeedMaxSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            // A truly periodic job with a random period: a timer, not polling for work.
            var wait = TimeSpan.FromSeconds(min + (Random.Shared.NextDouble() * (max - min)));
            try
            {
                await Task.Delay(wait, clock, stoppingToken);
                await AddOneAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException or TimeoutException or System.Data.Common.DbException)
            {
                logger.LogWarning(ex, "Demo feed could not add a message; trying again later");
            }
        }
    }

    /// <summary>Submits one new message to the demo organisation; null when there is no demo organisation.</summary>
    public async Task<IngestItemResult?> AddOneAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var org = await db.Organisations.AsNoTracking().Where(x => x.Slug == DemoSeeder.Slug).Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
        if (org is null)
        {
            return null;
        }

        var channels = await db.Channels.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.OrganisationId == org && c.IsActive && (c.Kind == ChannelKind.WebForm || c.Kind == ChannelKind.Twitter))
            .Select(c => new { c.Id, c.Kind }).ToListAsync(ct);
        var webForm = channels.FirstOrDefault(c => c.Kind == ChannelKind.WebForm);
        var x = channels.FirstOrDefault(c => c.Kind == ChannelKind.Twitter);
        var d = data.Data;
        var now = clock.GetUtcNow().UtcDateTime;
        var id = "demo-live:" + Guid.NewGuid().ToString("N");
        IngestBatch batch;
        // Mostly web-form reports, as for a council; about one in four a social mention.
        if (x is not null && d.SocialPosts.Count > 0 && (webForm is null || Random.Shared.Next(4) == 0))
        {
            var post = d.SocialPosts[Random.Shared.Next(d.SocialPosts.Count)];
            batch = new IngestBatch(org.Value, x.Id, ChannelKind.Twitter,
                [new InboundPost(id, post.Text, "@citizen" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)), CreatedAt: now)]);
        }
        else if (webForm is not null)
        {
            var report = d.Reports[Random.Shared.Next(d.Reports.Count)];
            batch = new IngestBatch(org.Value, webForm.Id, ChannelKind.WebForm,
                [new InboundPost(id, report.Text, "web-form:" + id[10..18], CreatedAt: now, Latitude: report.Latitude, Longitude: report.Longitude)]);
        }
        else
        {
            return null;
        }

        var outcome = await pipeline.SubmitAsync(batch, ct);
        var item = outcome.Items.Single();
        logger.LogInformation("Demo feed added message {MessageId} to conversation {ConversationId}", item.MessageId, item.ConversationId);
        return item;
    }
}
