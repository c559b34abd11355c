using System.Net;
using System.Net.Http.Headers;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Public;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Incidents;

public sealed class IncidentPagesTests(SpeakFactory factory) : IClassFixture<SpeakFactory>
{
    internal static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    internal static Dictionary<string, string> Circle(string title, string keywords = "flood, flooding", string lat = "51.9", string lon = "-2.08") => new()
    {
        ["Input.Title"] = title, ["Input.Severity"] = "Major", ["Input.AreaKind"] = "Radius", ["Input.Latitude"] = lat, ["Input.Longitude"] = lon,
        ["Input.RadiusMetres"] = "500", ["Input.Keywords"] = keywords, ["Input.Guidance"] = "Stay away from the river.\n\nCall 999 if life is at risk.",
    };

    internal static async Task<long> DeclareAsync(HttpClient comms, Dictionary<string, string> form)
    {
        var response = await StaffClient.PostFormAsync(comms, "/comms/incidents/declare", "/comms/incidents/declare", form);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return long.Parse(response.Headers.Location!.ToString()["/comms/incidents/".Length..]);
    }

    internal static async Task<HttpResponseMessage> PostUpdateAsync(HttpClient client, long incidentId, string text, byte[]? photo = null, string photoName = "river.png",
        string? alt = null, params long[] channels)
    {
        var token = await StaffClient.AntiforgeryTokenAsync(client, $"/comms/incidents/{incidentId}");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(text), "UpdateInput.Text" },
        };
        if (photo is not null)
        {
            var file = new ByteArrayContent(photo);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "UpdateInput.Photo", photoName);
        }

        if (alt is not null)
        {
            form.Add(new StringContent(alt), "UpdateInput.PhotoAlt");
        }

        foreach (var c in channels)
        {
            form.Add(new StringContent(c.ToString()), "UpdateInput.ChannelIds");
        }

        return await client.PostAsync($"/comms/incidents/{incidentId}?handler=Update", form);
    }

    [Fact]
    public async Task Declaring_opens_a_live_page_and_puts_a_banner_on_every_public_page()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await DeclareAsync(comms, Circle("River Chelt flooding"));

        var incident = await factory.WithDbAsync(org.Id, db => db.Incidents.SingleAsync(i => i.Id == id));
        incident.Slug.ShouldStartWith("river-chelt-flooding-");
        incident.Status.ShouldBe(IncidentStatus.Active);
        incident.Keywords.ShouldBe("flood, flooding");
        var citizen = StaffClient.Anonymous(factory);
        var live = await InboxTestData.GetPageAsync(citizen, $"/incidents/{incident.Slug}");
        live.QuerySelector("h1")!.TextContent.ShouldBe("River Chelt flooding");
        live.QuerySelector("#guidance")!.TextContent.ShouldContain("Stay away from the river.");
        live.QuerySelectorAll("#guidance p").Length.ShouldBe(2, "paragraphs split on blank lines");
        live.QuerySelector("#live")!.GetAttribute("hx-get").ShouldBe($"/incidents/{incident.Slug}/live?version=1");
        foreach (var path in new[] { "/report", "/status", "/map", "/incidents", "/faq" })
        {
            var page = await InboxTestData.GetPageAsync(citizen, path);
            var banner = page.QuerySelector("#incident-banner");
            banner.ShouldNotBeNull($"banner on {path}");
            banner.TextContent.ShouldContain("River Chelt flooding");
            banner.QuerySelector($"a[href='/incidents/{incident.Slug}']").ShouldNotBeNull();
        }

        var audit = (await factory.AuditAsync(org.Id, "incident.declared")).Single(a => a.TargetId == id.ToString());
        audit.ActorName.ShouldBe($"Comms of {org.Slug}");
        audit.After!.ShouldContain("River Chelt flooding");
    }

    [Fact]
    public async Task A_malformed_polygon_is_refused_with_the_form_kept_and_nothing_stored()
    {
        var org = await factory.OrganisationAsync();
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);
        var before = await factory.WithDbAsync(org.Id, db => db.Incidents.CountAsync());
        var form = Circle("Bow tie");
        form["Input.AreaKind"] = "Polygon";
        form["Input.AreaGeoJson"] = """{"type":"Polygon","coordinates":[[[-2.09,51.89],[-2.06,51.91],[-2.06,51.89],[-2.09,51.91],[-2.09,51.89]]]}""";
        form["Input.Title"] = "";
        var response = await StaffClient.PostFormAsync(admin, "/comms/incidents/declare", "/comms/incidents/declare", form);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync());
        var summary = page.QuerySelector(".govuk-error-summary")!.TextContent;
        summary.ShouldContain("Enter a title for the incident");
        summary.ShouldContain("The area's edges must not cross each other");
        page.QuerySelector(".govuk-error-summary a[href='#area-geojson']").ShouldNotBeNull();
        page.QuerySelector("#area-geojson")!.TextContent.ShouldContain("-2.09,51.89", Shouldly.Case.Insensitive, "what was typed is kept");
        (await factory.WithDbAsync(org.Id, db => db.Incidents.CountAsync())).ShouldBe(before);
    }

    [Fact]
    public async Task Only_comms_and_admin_run_incidents()
    {
        var org = await factory.OrganisationAsync();
        foreach (var role in new[] { Roles.Agent, Roles.TeamLead, Roles.Analyst })
        {
            var client = await StaffClient.SignInAsync(factory, org, role);
            (await client.GetAsync("/comms/incidents")).Headers.Location!.ToString().ShouldContain("/account/access-denied", Shouldly.Case.Insensitive, role);
            (await client.GetAsync("/comms/incidents/declare")).Headers.Location!.ToString().ShouldContain("/account/access-denied", Shouldly.Case.Insensitive, role);
        }

        (await StaffClient.Anonymous(factory).GetAsync("/comms/incidents")).Headers.Location!.ToString().ShouldContain("/account/sign-in", Shouldly.Case.Insensitive);
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        (await comms.GetAsync("/comms/incidents")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_organisations_incident_is_not_found_by_its_staff()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await DeclareAsync(comms, Circle("Ours only"));
        var other = await TestOrganisation.CreateAsync(factory);
        var outsider = await StaffClient.SignInAsync(factory, other, Roles.Admin);
        (await outsider.GetAsync($"/comms/incidents/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await outsider.GetAsync($"/comms/incidents/{id}/report?handler=Csv")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_update_form_counts_the_text_for_each_account_as_it_is_typed_and_names_the_ticked_ones_it_is_too_long_for()
    {
        var org = await factory.OrganisationAsync();
        var mastodon = await factory.SocialChannelAsync(org, ChannelKind.Mastodon, "Mastodon measure");
        var bluesky = await factory.SocialChannelAsync(org, ChannelKind.Bluesky, "Bluesky measure");
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await DeclareAsync(comms, Circle("Measured incident"));
        var slug = await factory.WithDbAsync(org.Id, db => db.Incidents.Where(i => i.Id == id).Select(i => i.Slug).SingleAsync());
        var link = $"http://localhost/incidents/{slug}";

        // The form wires the count to typing; the test broadcaster counts plain characters against 100.
        var form = await InboxTestData.GetPageAsync(comms, $"/comms/incidents/{id}");
        form.QuerySelector("#measure-status")!.GetAttribute("hx-post").ShouldBe($"/comms/incidents/{id}?handler=Measure");
        form.QuerySelector($"#measure-{mastodon}")!.TextContent.ShouldBe($"{link.Length + 2} of 100 characters with the link");

        var text = new string('a', 60);
        var token = await StaffClient.AntiforgeryTokenAsync(comms, $"/comms/incidents/{id}");
        var response = await comms.PostAsync($"/comms/incidents/{id}?handler=Measure", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["UpdateInput.Text"] = text, ["UpdateInput.ChannelIds"] = mastodon.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = Citizen.Parse(await response.Content.ReadAsStringAsync());
        var length = text.Length + 2 + link.Length;
        answer.QuerySelector($"#measure-{mastodon}")!.TextContent.ShouldBe($"{length} of 100 characters with the link: too long for Mastodon");
        answer.QuerySelector($"#measure-{bluesky}")!.ClassList.ShouldContain("civicdesk-too-long");
        answer.QuerySelector("#measure-status")!.TextContent.ShouldBe($"Too long for Mastodon measure: {length} of 100 characters", "only the ticked account is named");

        // Staff without the Comms role cannot use it (the page's own authorisation).
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        (await agent.PostAsync($"/comms/incidents/{id}?handler=Measure", new FormUrlEncodedContent([]))).StatusCode.ShouldNotBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_update_with_a_photo_appears_on_the_live_page_and_goes_to_the_chosen_channels()
    {
        var org = await factory.OrganisationAsync();
        var mastodon = await factory.SocialChannelAsync(org, ChannelKind.Mastodon, "Mastodon main");
        var bluesky = await factory.SocialChannelAsync(org, ChannelKind.Bluesky, "Bluesky main");
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await DeclareAsync(comms, Circle("Photo incident"));
        var slug = await factory.WithDbAsync(org.Id, db => db.Incidents.Where(i => i.Id == id).Select(i => i.Slug).SingleAsync());
        var citizen = StaffClient.Anonymous(factory);
        (await citizen.GetAsync($"/incidents/{slug}/live?version=1")).StatusCode.ShouldBe(HttpStatusCode.NoContent, "nothing new yet");

        var response = await PostUpdateAsync(comms, id, "Sandbags available at the Town Hall <b>now</b>", Png, alt: "Sandbags stacked by the Town Hall door", channels: [mastodon, bluesky]);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        var update = await factory.WithDbAsync(org.Id, db => db.IncidentUpdates.SingleAsync(u => u.IncidentId == id));
        update.PhotoId.ShouldNotBeNull();
        update.PublicationReference.ShouldBe($"pub-incident-update-{update.Id}");
        var request = factory.Broadcaster.Requests.Single(r => r.SourceId == update.Id && r.Source == "incident-update");
        request.ChannelIds.ShouldBe([mastodon, bluesky], ignoreOrder: true);
        request.Link.ShouldBe($"http://localhost/incidents/{slug}");
        request.Images.Single().AltText.ShouldBe("Sandbags stacked by the Town Hall door");
        request.Images.Single().ContentType.ShouldBe("image/png");

        var partial = await citizen.GetAsync($"/incidents/{slug}/live?version=1");
        partial.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await partial.Content.ReadAsStringAsync();
        html.ShouldContain("Sandbags available at the Town Hall &lt;b&gt;now&lt;/b&gt;", Shouldly.Case.Sensitive, "citizen-facing text is encoded");
        html.ShouldContain("hx-swap-oob");
        var live = await InboxTestData.GetPageAsync(citizen, $"/incidents/{slug}");
        var img = live.QuerySelector($"#update-{update.Id} img")!;
        img.GetAttribute("alt").ShouldBe("Sandbags stacked by the Town Hall door");
        var photo = await citizen.GetAsync(img.GetAttribute("src"));
        photo.StatusCode.ShouldBe(HttpStatusCode.OK);
        photo.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        (await photo.Content.ReadAsByteArrayAsync()).ShouldBe(Png);
        (await citizen.GetAsync($"/incidents/{slug}/photo/{Guid.NewGuid():N}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var staff = await InboxTestData.GetPageAsync(comms, $"/comms/incidents/{id}");
        staff.QuerySelector($"#update-{update.Id} [data-deliveries]")!.TextContent.ShouldContain("Mastodon main: Queued");
        (await factory.AuditAsync(org.Id, "incident.update-posted")).ShouldContain(a => a.TargetId == update.Id.ToString());
        (await factory.AuditAsync(org.Id, "incident.update-sent")).ShouldContain(a => a.TargetId == update.Id.ToString());
    }

    [Fact]
    public async Task A_file_that_is_not_a_photo_is_refused_and_nothing_is_published()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await DeclareAsync(comms, Circle("Wrong photo incident"));

        var response = await PostUpdateAsync(comms, id, "Road closed", "this is not an image"u8.ToArray(), "evidence.png", alt: "A road");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await InboxTestData.ParseAsync(await response.Content.ReadAsStringAsync());
        page.QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("The selected file evidence.png must be a JPG, PNG, WebP or HEIC photo");
        page.QuerySelector("#text")!.TextContent.ShouldBe("Road closed");
        (await factory.WithDbAsync(org.Id, db => db.IncidentUpdates.CountAsync(u => u.IncidentId == id))).ShouldBe(0);

        var noAlt = await PostUpdateAsync(comms, id, "Road closed", Png);
        (await InboxTestData.ParseAsync(await noAlt.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent
            .ShouldContain("Describe the photo");
    }

    [Fact]
    public async Task The_incident_view_lists_messages_inside_the_area_or_with_a_keyword_and_counts_them_per_15_minutes()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await DeclareAsync(comms, Circle("Traffic incident", "sinkhole"));
        var inside = await factory.MessageAsync(org, "Water everywhere on my street", lat: 51.901, lon: -2.081);
        var keyword = await factory.MessageAsync(org, "Is the SINKHOLE near the school dangerous?");
        var outside = await factory.MessageAsync(org, "Nice day in Gloucester", lat: 51.86, lon: -2.24);
        var partWord = await factory.MessageAsync(org, "sinkholes4ever is my band");

        var page = await InboxTestData.GetPageAsync(comms, $"/comms/incidents/{id}");
        var rows = page.QuerySelectorAll("#incident-messages [data-message-id]").ToDictionary(r => long.Parse(r.GetAttribute("data-message-id")!), r => r.TextContent);
        rows[inside.MessageId].ShouldContain("inside the area");
        rows[keyword.MessageId].ShouldContain("mentions “SINKHOLE”");
        rows.ShouldNotContainKey(outside.MessageId);
        rows.ShouldNotContainKey(partWord.MessageId);
        page.QuerySelector("#traffic-total")!.TextContent.ShouldContain("2 messages");
        page.QuerySelectorAll("#chart-volumes tbody tr").Select(r => int.Parse(r.QuerySelector("td")!.TextContent)).Sum().ShouldBe(2);
    }

    [Fact]
    public async Task Standing_down_needs_a_summary_then_removes_the_banner_and_the_report_has_timeline_volumes_and_responses()
    {
        var org = await factory.OrganisationAsync();
        var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var id = await DeclareAsync(comms, Circle("Stand down incident", "gas leak", "52.48", "-1.89"));
        var slug = await factory.WithDbAsync(org.Id, db => db.Incidents.Where(i => i.Id == id).Select(i => i.Slug).SingleAsync());
        (await PostUpdateAsync(comms, id, "Engineers are on site")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var message = await factory.MessageAsync(org, "I can smell a gas leak on Bath Road");
        (await InboxTestData.PostAsync(comms, message.ConversationId, "Reply", new Dictionary<string, string> { ["ReplyText"] = "Thanks, engineers are there" }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var guidance = await StaffClient.PostFormAsync(comms, $"/comms/incidents/{id}", $"/comms/incidents/{id}?handler=Guidance",
            new Dictionary<string, string> { ["Guidance"] = "Keep windows closed." });
        guidance.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var empty = await StaffClient.PostFormAsync(comms, $"/comms/incidents/{id}", $"/comms/incidents/{id}?handler=StandDown", new Dictionary<string, string> { ["Summary"] = " " });
        (await InboxTestData.ParseAsync(await empty.Content.ReadAsStringAsync())).QuerySelector(".govuk-error-summary")!.TextContent.ShouldContain("Enter a summary");
        var done = await StaffClient.PostFormAsync(comms, $"/comms/incidents/{id}", $"/comms/incidents/{id}?handler=StandDown",
            new Dictionary<string, string> { ["Summary"] = "=1+1 The leak was fixed at 16:00." });
        done.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var citizen = StaffClient.Anonymous(factory);
        var report = await InboxTestData.GetPageAsync(citizen, "/report");
        (report.QuerySelector("#incident-banner")?.TextContent ?? "").ShouldNotContain("Stand down incident");
        var live = await InboxTestData.GetPageAsync(citizen, $"/incidents/{slug}");
        live.QuerySelector("#stood-down")!.TextContent.ShouldContain("The leak was fixed at 16:00.");
        live.QuerySelector("#live")!.HasAttribute("hx-get").ShouldBeFalse("a finished incident stops polling");
        (await PostUpdateAsync(comms, id, "Too late")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var html = await InboxTestData.GetPageAsync(comms, $"/comms/incidents/{id}/report");
        var timeline = html.QuerySelector("#report-timeline")!.TextContent;
        timeline.ShouldContain("Declared");
        timeline.ShouldContain("Engineers are on site");
        timeline.ShouldContain("Guidance changed");
        timeline.ShouldContain("Stood down");
        html.QuerySelector("#report-responses")!.TextContent.ShouldContain("1 (1 answered, 0 not answered)");
        var csv = await comms.GetAsync($"/comms/incidents/{id}/report?handler=Csv");
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Trim().ShouldBe("section,time_utc,item,value,detail");
        lines.ShouldContain(l => l.StartsWith("timeline,") && l.Contains("Engineers are on site"));
        lines.Where(l => l.StartsWith("volume_15min,")).Sum(l => int.Parse(l.Split(',')[3])).ShouldBe(1);
        lines.ShouldContain(l => l.StartsWith("responses,,answered,1"));
        lines.Single(l => l.StartsWith("timeline,") && l.Contains("Stood down")).ShouldContain(",'=1+1 The leak", Shouldly.Case.Sensitive, "a cell never starts with a formula");
        (await factory.AuditAsync(org.Id, "incident.stood-down")).ShouldContain(a => a.TargetId == id.ToString());
    }
}
