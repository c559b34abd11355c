using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Accounts;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.CaseApi;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Connectors.Bluesky;
using CivicDesk.Web.Features.Connectors.Mastodon;
using CivicDesk.Web.Features.Connectors.X;
using CivicDesk.Web.Features.Connectors.Rss;
using CivicDesk.Web.Features.Demo;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Features.Map;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Features.Packs;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Features.Places;
using CivicDesk.Web.Features.Privacy;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Features.Webhooks;
using CivicDesk.Web.Platform;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.AddData();
builder.AddStaffAuth();
builder.AddTelemetry();
builder.AddAuditFeature();
builder.AddAuditCheckpointWorker();
builder.AddTriageFeature();
builder.AddIngestionFeature();
builder.AddRoutingFeature();
builder.AddInboxFeature();
builder.AddOutboundFeature();
builder.AddConnectorsFeature();
builder.Services.AddConnector<BlueskyConnector>();
builder.AddMastodonConnector();
builder.AddXConnector();
builder.AddRssConnector();
builder.AddPlacesFeature();
builder.AddPublicFeature();
builder.AddSlaFeature();
builder.AddDemoFeature();
builder.AddCasesFeature();
builder.AddOpen311Feature();
builder.AddWebhooksFeature();
builder.AddMapFeature();
builder.AddPrivacyFeature();
builder.AddAccountsFeature();
builder.AddPacksFeature();

var app = builder.Build();

await app.Services.MigrateDatabaseAsync();
await app.SeedDemoAsync();

app.UsePlatform();
app.MapHealth();
app.MapIngestionApi();
app.MapOpen311();
app.MapCaseUpdatesApi();
app.MapConnectorWebhooks();
app.MapRazorPages();

await app.RunAsync();

/// <summary>Entry point; public for WebApplicationFactory in tests.</summary>
public partial class Program;
