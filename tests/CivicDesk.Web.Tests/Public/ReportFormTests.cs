using System.Net;
using System.Text.Json;
using AngleSharp.Html.Dom;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Public;

public sealed class ReportFormTests : IClassFixture<PublicSiteFactory>
{
    private readonly PublicSiteFactory _factory;

    public ReportFormTests(PublicSiteFactory factory) => _factory = factory;

    [Fact]
    public async Task Start_page_uses_the_organisation_name_and_starts_the_form()
    {
        var org = await _factory.OrganisationAsync();
        var (response, html) = await Citizen.For(_factory).GetAsync("/");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.Title!.ShouldContain($"Test council {org.Slug}");
        html.QuerySelector(".govuk-generic-header .civicdesk-org-name")!.TextContent.Trim().ShouldBe($"Test council {org.Slug}");
        var start = html.QuerySelector("a.govuk-button--start")!;
        start.GetAttribute("href").ShouldBe("/report");
        start.TextContent.ShouldContain("Start now");
    }

    [Fact]
    public async Task Form_is_multipart_with_an_antiforgery_token_and_a_character_count()
    {
        await _factory.OrganisationAsync();
        var (response, html) = await Citizen.For(_factory).GetAsync("/report");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var form = html.QuerySelector("form[action='/report/send']").ShouldBeAssignableTo<IHtmlFormElement>()!;
        form.Enctype.ShouldBe("multipart/form-data");
        form.QuerySelectorAll("input[name='__RequestVerificationToken']").Length.ShouldBe(1);
        html.QuerySelector(".govuk-character-count[data-maxlength='5000'] textarea#description").ShouldNotBeNull();
        html.QuerySelector("input#postcode[name='Input.Postcode']").ShouldNotBeNull();
        // The map is an enhancement: hidden until its script runs; the postcode works without it.
        html.QuerySelector("#report-map-panel")!.HasAttribute("hidden").ShouldBeTrue();
        html.QuerySelector("input#photos[type='file'][multiple]").ShouldNotBeNull();
        html.QuerySelectorAll("input[name='Input.Category'][type='radio']").Length.ShouldBe(18);
    }

    [Fact]
    public async Task Valid_report_is_stored_on_the_web_form_channel_and_its_status_page_finds_it()
    {
        var org = await _factory.OrganisationAsync();
        var citizen = Citizen.For(_factory);

        var response = await citizen.SendReportAsync(new Dictionary<string, string>
        {
            ["Input.Description"] = "Deep pothole outside the library on Station Road",
            ["Input.Name"] = "Alex Example",
            ["Input.Email"] = "alex@example.com",
            ["Input.Category"] = "highways_road_surface",
            ["Input.Postcode"] = "gl501pq",
            ["Input.Latitude"] = "51.8994",
            ["Input.Longitude"] = "-2.0783",
        });

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var (confirmation, page) = await citizen.GetAsync(response.Headers.Location!.ToString());
        confirmation.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.QuerySelector(".govuk-panel--confirmation .govuk-panel__title")!.TextContent.ShouldContain("Report sent");
        var reference = page.QuerySelector("#reference")!.TextContent.Trim();
        reference.ShouldMatch("^CD-[0-9A-HJKMNP-TV-Z]{6}$");
        page.QuerySelector($"a[href='/status/{reference}']").ShouldNotBeNull();
        page.QuerySelector("#emergency-advice").ShouldBeNull();
        page.QuerySelector("#service-advice").ShouldBeNull();

        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var conversation = await db.Conversations.SingleAsync(c => c.Reference == reference);
            var message = await db.Messages.SingleAsync(m => m.ConversationId == conversation.Id);
            message.ChannelId.ShouldBe(org.WebFormChannelId);
            conversation.ChannelId.ShouldBe(org.WebFormChannelId);
            message.ExternalId.ShouldStartWith("web-");
            message.AuthorHandle.ShouldStartWith("web-form:");
            message.AuthorName.ShouldBe("Alex Example");
            conversation.CitizenEmail.ShouldBe("alex@example.com");
            message.Text.ShouldBe("Deep pothole outside the library on Station Road\n\nPostcode: GL50 1PQ");
            message.Latitude.ShouldBe(51.8994);
            message.Longitude.ShouldBe(-2.0783);
            using var raw = JsonDocument.Parse(message.RawPayload!);
            raw.RootElement.GetProperty("postcode").GetString().ShouldBe("GL50 1PQ");
            raw.RootElement.GetProperty("category").GetString().ShouldBe("highways_road_surface");
            raw.RootElement.GetProperty("name").GetString().ShouldBe("Alex Example");
        }

        var (status, statusPage) = await citizen.GetAsync($"/status/{reference.ToLowerInvariant()}");
        status.StatusCode.ShouldBe(HttpStatusCode.OK);
        statusPage.QuerySelector("#status-reference")!.TextContent.Trim().ShouldBe(reference);
        statusPage.QuerySelector("#status-status")!.TextContent.Trim().ShouldBe("Received");
        statusPage.QuerySelector("#status-team")!.TextContent.Trim().ShouldBe("Customer Services");
    }

    [Fact]
    public async Task Report_without_an_email_gets_a_web_form_handle()
    {
        var org = await _factory.OrganisationAsync();
        var reference = await Citizen.For(_factory).SendValidReportAsync("Street light out on Mill Lane");

        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var message = await db.Messages.SingleAsync(m => db.Conversations.Any(c => c.Id == m.ConversationId && c.Reference == reference));
        message.AuthorHandle.ShouldStartWith("web-form:");
        message.AuthorHandle.Length.ShouldBe("web-form:".Length + 8);
        message.Latitude.ShouldBeNull();
    }

    [Fact]
    public async Task Two_reports_from_the_same_email_are_two_cases_with_their_own_references()
    {
        var org = await _factory.OrganisationAsync();
        var citizen = Citizen.For(_factory);
        var first = await citizen.SendValidReportAsync("Pothole on Mill Lane", "same@example.com");
        var second = await citizen.SendValidReportAsync("Street light out on Hill Road", "same@example.com");

        second.ShouldNotBe(first);
        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Conversations.CountAsync(c => c.CitizenEmail == "same@example.com" && (c.Reference == first || c.Reference == second))).ShouldBe(2);
    }

    public static TheoryData<string, string, string, string> InvalidReports => new()
    {
        // field to fill, value, element id the error links to, message
        { "Input.Description", "", "description", "Enter a description of the problem or your question" },
        { "Input.Description", new string('a', 5_001), "description", "Description must be 5,000 characters or fewer" },
        { "Input.Email", "not-an-email", "email", "Enter an email address in the correct format, like name@example.com" },
        { "Input.Email", "someone@nowhere", "email", "Enter an email address in the correct format, like name@example.com" },
        { "Input.Postcode", "ZZ99 9ZZ", "postcode", "Enter a real UK postcode, like GL50 1PQ" },
        { "Input.Postcode", "hello", "postcode", "Enter a real UK postcode, like GL50 1PQ" },
        { "Input.Category", "nuclear_waste", "category", "Select what the problem is about, or select ‘Not sure’" },
        { "Input.Name", new string('n', 201), "name", "Name must be 200 characters or fewer" },
    };

    [Theory]
    [MemberData(nameof(InvalidReports))]
    public async Task Each_invalid_field_shows_the_error_summary_and_inline_message_and_stores_nothing(string field, string value, string fieldId, string message)
    {
        var org = await _factory.OrganisationAsync();
        var fields = new Dictionary<string, string>
        {
            ["Input.Description"] = "Bins not collected on Primrose Way",
            ["Input.Postcode"] = "GL50 1PQ",
            ["Input.Email"] = "kept@example.com",
        };
        fields[field] = value;
        var before = await MessageCountAsync(org.Id);

        var response = await Citizen.For(_factory).SendReportAsync(fields);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = Citizen.Parse(await response.Content.ReadAsStringAsync());
        AssertError(html, fieldId, message);
        (await MessageCountAsync(org.Id)).ShouldBe(before);
        // What the citizen typed is kept (except the field in error when it was emptied).
        if (field != "Input.Email")
        {
            html.QuerySelector("#email")!.GetAttribute("value").ShouldBe("kept@example.com");
        }

        if (field != "Input.Description")
        {
            html.QuerySelector("#description")!.TextContent.ShouldBe("Bins not collected on Primrose Way");
        }
    }

    [Theory]
    [InlineData("48.8566", "2.3522")]     // Paris
    [InlineData("40.7128", "-74.0060")]   // New York
    [InlineData("51.5", "")]              // half a pin
    [InlineData("north", "west")]         // tampered
    public async Task Map_pin_outside_the_UK_or_unreadable_is_refused(string latitude, string longitude)
    {
        var org = await _factory.OrganisationAsync();
        var before = await MessageCountAsync(org.Id);

        var response = await Citizen.For(_factory).SendReportAsync(new Dictionary<string, string>
        {
            ["Input.Description"] = "Fly-tipping in the lay-by",
            ["Input.Latitude"] = latitude,
            ["Input.Longitude"] = longitude,
        });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = Citizen.Parse(await response.Content.ReadAsStringAsync());
        html.Title!.ShouldStartWith("Error: ");
        var summary = html.QuerySelector(".govuk-error-summary")!;
        summary.QuerySelector("a[href='#postcode']")!.TextContent.ShouldContain(
            double.TryParse(latitude, out _) && longitude.Length > 0 && double.TryParse(longitude, out _) ? "must be in the UK" : "could not be read");
        (await MessageCountAsync(org.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task A_jpg_that_is_really_text_is_refused()
    {
        var org = await _factory.OrganisationAsync();
        var before = await MessageCountAsync(org.Id);

        var response = await Citizen.For(_factory).SendReportAsync(
            new Dictionary<string, string> { ["Input.Description"] = "Graffiti on the underpass" },
            ("graffiti.jpg", "this is not a photo, just text pretending"u8.ToArray()));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = Citizen.Parse(await response.Content.ReadAsStringAsync());
        AssertError(html, "photos", "The selected file graffiti.jpg must be a JPG, PNG, WebP or HEIC photo");
        (await MessageCountAsync(org.Id)).ShouldBe(before);
        UploadedFiles(org.Id).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_photo_over_10MB_gets_a_clear_error()
    {
        var org = await _factory.OrganisationAsync();
        var before = await MessageCountAsync(org.Id);

        var response = await Citizen.For(_factory).SendReportAsync(
            new Dictionary<string, string> { ["Input.Description"] = "Flooding under the bridge" },
            ("flood.jpg", Photos.Jpeg((10 * 1024 * 1024) + 1)));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        AssertError(Citizen.Parse(await response.Content.ReadAsStringAsync()), "photos", "The selected file flood.jpg must be smaller than 10MB");
        (await MessageCountAsync(org.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task More_than_three_photos_are_refused()
    {
        await _factory.OrganisationAsync();
        var response = await Citizen.For(_factory).SendReportAsync(
            new Dictionary<string, string> { ["Input.Description"] = "Broken swings in the park" },
            ("1.jpg", Photos.Jpeg()), ("2.jpg", Photos.Jpeg()), ("3.jpg", Photos.Jpeg()), ("4.jpg", Photos.Jpeg()));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        AssertError(Citizen.Parse(await response.Content.ReadAsStringAsync()), "photos", "Select up to 3 photos");
    }

    [Fact]
    public async Task Posting_without_the_antiforgery_token_is_rejected()
    {
        var org = await _factory.OrganisationAsync();
        var before = await MessageCountAsync(org.Id);
        var citizen = Citizen.For(_factory);
        await citizen.GetAsync("/report");

        var response = await citizen.Client.PostAsync("/report/send",
            Citizen.ReportContent(new Dictionary<string, string> { ["Input.Description"] = "No token here" }, [], token: null));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await MessageCountAsync(org.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task Urgent_report_shows_the_emergency_advice_on_the_confirmation()
    {
        var org = await _factory.OrganisationAsync();
        var citizen = Citizen.For(_factory);
        var reference = await citizen.SendValidReportAsync("Strong smell of gas near the roadworks on North Place");

        var (_, html) = await citizen.GetAsync($"/report/confirmation/{reference}");

        var warning = html.QuerySelector(".govuk-warning-text#emergency-advice")!;
        warning.TextContent.ShouldContain("If someone is in immediate danger, call 999.");
        // A gas leak is the gas network's emergency: the citizen is told who to call, first.
        html.QuerySelector(".govuk-warning-text#service-advice")!.TextContent.ShouldContain("National Gas Emergency Service now on 0800 111 999");
        await using var scope = _factory.ScopeFor(org.Id);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages
            .AnyAsync(m => m.IsUrgent && m.Text.StartsWith("Strong smell of gas"))).ShouldBeTrue();
    }

    [Fact]
    public async Task A_power_cut_report_tells_the_citizen_to_call_105_without_claiming_it_is_urgent()
    {
        await _factory.OrganisationAsync();
        var citizen = Citizen.For(_factory);
        var reference = await citizen.SendValidReportAsync("Power cut across the whole of Meadow Close since six o'clock");

        var (_, html) = await citizen.GetAsync($"/report/confirmation/{reference}");

        html.QuerySelector("#service-advice")!.TextContent.ShouldContain("call 105");
        html.QuerySelector("#emergency-advice").ShouldBeNull();
    }

    [Fact]
    public async Task Confirmation_for_an_unknown_reference_is_not_found()
    {
        await _factory.OrganisationAsync();
        var (response, _) = await Citizen.For(_factory).GetAsync("/report/confirmation/CD-000000");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static void AssertError(IHtmlDocument html, string fieldId, string message)
    {
        html.Title!.ShouldStartWith("Error: ");
        var summary = html.QuerySelector(".govuk-error-summary")!;
        summary.ShouldNotBeNull();
        summary.QuerySelector(".govuk-error-summary__title")!.TextContent.Trim().ShouldBe("There is a problem");
        summary.QuerySelectorAll(".govuk-error-summary__list a").ShouldContain(a => a.GetAttribute("href") == "#" + fieldId && a.TextContent.Trim() == message);
        html.GetElementById(fieldId).ShouldNotBeNull();
        var inline = html.GetElementById(fieldId + "-error")!;
        inline.ClassList.ShouldContain("govuk-error-message");
        inline.TextContent.ShouldContain(message);
        inline.Closest(".govuk-form-group")!.ClassList.ShouldContain("govuk-form-group--error");
    }

    private async Task<int> MessageCountAsync(long org)
    {
        await using var scope = _factory.ScopeFor(org);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.CountAsync();
    }

    private string[] UploadedFiles(long org)
    {
        var dir = Path.Combine(_factory.DataDirectory, "uploads", org.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Directory.Exists(dir) ? Directory.GetFiles(dir) : [];
    }
}
