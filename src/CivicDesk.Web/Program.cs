using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Accounts;
using CivicDesk.Web.Features.ApiDocs;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.CaseApi;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Features.Demo;
using CivicDesk.Web.Features.Faq;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Features.Incidents;
using CivicDesk.Web.Features.Map;
using CivicDesk.Web.Features.Newsroom;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Features.Packs;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Features.Participation;
using CivicDesk.Web.Features.Places;
using CivicDesk.Web.Features.Privacy;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Features.Review;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Features.Rumours;
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
builder.AddIngestCluster();
builder.AddRoutingFeature();
builder.AddInboxFeature();
builder.AddReviewFeature();
builder.AddPublishingFeature();
builder.AddNewsroomFeature();
builder.AddOutboundFeature();
builder.AddConnectorsFeature();
builder.AddPlacesFeature();
builder.AddPublicFeature();
builder.AddSlaFeature();
builder.AddDemoFeature();
builder.AddCasesFeature();
builder.AddOpen311Feature();
builder.AddWebhooksFeature();
builder.AddMapFeature();
builder.AddDashboardsFeature();
builder.AddParticipationFeature();
builder.AddIncidentsFeature();
builder.AddRumoursFeature();
builder.AddFaqFeature();
builder.AddPrivacyFeature();
builder.AddAccountsFeature();
builder.AddPacksFeature();
builder.AddApiDocsFeature();

var app = builder.Build();

// EF Core's model is built on the other core while this thread checks the schema, maps the endpoints and starts listening.
_ = app.Services.BuildModelInBackground();
await app.Services.MigrateDatabaseAsync();
await app.SeedDemoAsync();

app.UsePlatform();
app.MapHealth();
app.MapIngestionApi();
app.MapOpen311();
app.MapCaseUpdatesApi();
app.MapDemandApi();
app.MapConnectorWebhooks();
app.MapNewsroom();
app.MapApiDocs();
app.MapRazorPages();

await app.RunAsync();

/// <summary>Entry point; public for WebApplicationFactory in tests.</summary>
public partial class Program;
