using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Public;

/// <summary>Receives the report form: validates, stores photos, submits through the ingest pipeline, then redirects (PRG).</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicSubmitRateLimit)]
// Three photos of 10MB each plus the text fields; the per-photo limit gives the citizen a clear message first.
[RequestSizeLimit(MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes)]
public sealed class ReportSendModel(
    IOptions<PublicOptions> options,
    PublicOrganisationResolver organisations,
    CivicDeskDb db,
    IngestPipeline pipeline,
    PhotoStore photos,
    Cases.CaseCommands cases,
    ReporterEmail reporterEmail,
    IOptions<Participation.CitizenOptions> citizenOptions,
    ILogger<ReportSendModel> logger) : ReportFormPage(options)
{
    private const long MaxRequestBytes = (PhotoStore.MaxFiles * PhotoStore.MaxBytes) + (2 * 1024 * 1024);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [BindProperty] public List<IFormFile> Photos { get; set; } = [];

    /// <summary>Someone refreshed or bookmarked the POST target: send them to the form.</summary>
    public IActionResult OnGet() => Redirect("/report");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var org = organisations.Current;
        var location = Validate();
        var kinds = await ValidatePhotosAsync(ct);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var channelId = await db.Channels.IgnoreQueryFilters()
            .Where(c => c.OrganisationId == org.Id && c.Kind == ChannelKind.WebForm && c.IsActive)
            .OrderBy(c => c.Id).Select(c => (long?)c.Id).FirstOrDefaultAsync(ct);
        if (channelId is null)
        {
            logger.LogError("Organisation {OrganisationId} has no active web-form channel", org.Id);
            return StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        var attachments = new List<AttachmentInfo>(kinds.Count);
        IngestItemResult item;
        try
        {
            foreach (var (file, kind) in kinds)
            {
                attachments.Add(await photos.SaveAsync(org.Id, file, kind, ct));
            }

            var externalId = "web-" + Guid.NewGuid().ToString("N");
            var email = string.IsNullOrWhiteSpace(Input.Email) ? null : Input.Email.Trim();
            var name = string.IsNullOrWhiteSpace(Input.Name) ? null : Input.Name.Trim();
            var category = string.IsNullOrEmpty(Input.Category) ? null : Input.Category;
            var description = Input.Description!.Trim();
            // The postcode goes into the text as well: staff read it there, and triage finds places in text.
            var text = location.Postcode is null ? description : $"{description}\n\nPostcode: {location.Postcode}";
            var raw = JsonSerializer.Serialize(new
            {
                description,
                name,
                email,
                category,
                postcode = location.Postcode,
                latitude = location.Latitude,
                longitude = location.Longitude,
                photos = attachments.Select(a => new { a.FileName, a.ContentType, a.Length }),
            }, Json);
            var post = new InboundPost(
                ExternalId: externalId,
                Text: text,
                // Each report is its own case with its own reference: a per-report handle keeps the pipeline from
                // threading two reports by the same email address into one conversation.
                AuthorHandle: "web-form:" + externalId[4..12],
                AuthorName: name,
                Latitude: location.Latitude,
                Longitude: location.Longitude,
                CitizenEmail: email,
                Attachments: attachments.Count > 0 ? attachments : null,
                RawPayload: raw);
            var outcome = await pipeline.SubmitAsync(new IngestBatch(org.Id, channelId.Value, ChannelKind.WebForm, [post]), ct);
            item = outcome.Items.Single();
        }
        catch
        {
            photos.Delete(org.Id, attachments);
            throw;
        }

        // Every report becomes a case (with its photos and place). The report is already stored: if this fails the
        // citizen still gets their reference, and staff can make the case from the conversation.
        try
        {
            var created = await cases.CreateFromReportAsync(item.MessageId, string.IsNullOrEmpty(Input.Category) ? null : Input.Category, location.Postcode, ct);
            if (Input.EmailUpdates && created.Case is { } c)
            {
                var status = new Uri(Participation.CitizenSignIn.BaseUrl(Request, citizenOptions.Value), "/status/" + Uri.EscapeDataString(item.ConversationReference));
                await reporterEmail.SubscribeAsync(c, Input.Email!.Trim(), status, ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not create a case for report message {MessageId}", item.MessageId);
        }

        return Redirect("/report/confirmation/" + Uri.EscapeDataString(item.ConversationReference));
    }

    private (string? Postcode, double? Latitude, double? Longitude) Validate()
    {
        if (!string.IsNullOrWhiteSpace(Input.Email) && !EmailFormat.IsValid(Input.Email.Trim()))
        {
            ModelState.AddModelError("Input.Email", "Enter an email address in the correct format, like name@example.com");
        }
        else if (Input.EmailUpdates && string.IsNullOrWhiteSpace(Input.Email))
        {
            ModelState.AddModelError("Input.Email", "Enter your email address to get updates by email, or untick the box");
        }

        if (!string.IsNullOrEmpty(Input.Category) && !ServiceCategories.IsValid(Input.Category))
        {
            ModelState.AddModelError("Input.Category", "Select what the problem is about, or select ‘Not sure’");
        }

        string? postcode = null;
        if (!string.IsNullOrWhiteSpace(Input.Postcode))
        {
            postcode = UkPostcode.Normalise(Input.Postcode);
            if (postcode is null)
            {
                ModelState.AddModelError("Input.Postcode", "Enter a real UK postcode, like GL50 1PQ");
            }
        }

        double? latitude = null, longitude = null;
        var hasLat = !string.IsNullOrWhiteSpace(Input.Latitude);
        var hasLon = !string.IsNullOrWhiteSpace(Input.Longitude);
        if (hasLat || hasLon)
        {
            if (hasLat && hasLon && UkBounds.TryParse(Input.Latitude, out var lat) && UkBounds.TryParse(Input.Longitude, out var lon))
            {
                if (UkBounds.Contains(lat, lon))
                {
                    (latitude, longitude) = (Math.Round(lat, 6), Math.Round(lon, 6));
                }
                else
                {
                    ModelState.AddModelError("Input.Latitude", "The pin on the map must be in the UK. Move the pin, or enter a postcode instead");
                }
            }
            else
            {
                ModelState.AddModelError("Input.Latitude", "The place on the map could not be read. Enter a postcode instead");
            }
        }

        return (postcode, latitude, longitude);
    }

    private async Task<List<(IFormFile File, PhotoKind Kind)>> ValidatePhotosAsync(CancellationToken ct)
    {
        // Browsers send one empty part when no file is chosen.
        var files = Photos.Where(f => f.Length > 0 || !string.IsNullOrEmpty(f.FileName)).ToList();
        var accepted = new List<(IFormFile, PhotoKind)>(files.Count);
        if (files.Count > PhotoStore.MaxFiles)
        {
            ModelState.AddModelError(PhotosKey, "Select up to 3 photos");
            return accepted;
        }

        foreach (var file in files)
        {
            var (kind, error) = await PhotoStore.CheckAsync(file, ct);
            if (kind is null)
            {
                ModelState.AddModelError(PhotosKey, error!);
            }
            else
            {
                accepted.Add((file, kind));
            }
        }

        return accepted;
    }
}
