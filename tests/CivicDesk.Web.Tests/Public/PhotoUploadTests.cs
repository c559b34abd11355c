using System.Net;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Public;

public sealed class PhotoUploadTests : IClassFixture<PublicSiteFactory>
{
    private readonly PublicSiteFactory _factory;

    public PhotoUploadTests(PublicSiteFactory factory) => _factory = factory;

    [Fact]
    public async Task Photos_are_stored_outside_wwwroot_and_only_staff_of_the_organisation_can_open_them()
    {
        var org = await _factory.OrganisationAsync();
        var png = Photos.Png();
        var response = await Citizen.For(_factory).SendReportAsync(
            new Dictionary<string, string> { ["Input.Description"] = "Overflowing litter bin at the bus stop" },
            ("bin.png", png), ("bin2.jpg", Photos.Jpeg()));
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        AttachmentInfo[] attachments;
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var message = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.SingleAsync(m => m.Text == "Overflowing litter bin at the bus stop");
            attachments = JsonSerializer.Deserialize<AttachmentInfo[]>(message.AttachmentsJson!)!;
        }

        attachments.Length.ShouldBe(2);
        attachments[0].FileName.ShouldBe("bin.png");
        attachments[0].ContentType.ShouldBe("image/png");
        attachments[0].Length.ShouldBe(png.Length);
        attachments[0].StoredPath!.ShouldMatch($"^uploads/{org.Id}/[0-9a-f]{{32}}\\.png$");
        attachments[1].StoredPath!.ShouldEndWith(".jpg");
        (await File.ReadAllBytesAsync(Path.Combine(_factory.DataDirectory, attachments[0].StoredPath!))).ShouldBe(png);

        var url = attachments[0].Url!;
        url.ShouldMatch("^/inbox/attachments/[0-9a-f]{32}$");

        // Not a static file, and not for anonymous visitors.
        (await Citizen.For(_factory).Client.GetAsync("/" + attachments[0].StoredPath)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var anonymous = await Citizen.For(_factory).Client.GetAsync(url);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.ToString().ShouldContain("/account/sign-in");

        var staff = await StaffClient.SignInAsync(_factory, org, "Agent");
        var photo = await staff.GetAsync(url);
        photo.StatusCode.ShouldBe(HttpStatusCode.OK);
        photo.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        (await photo.Content.ReadAsByteArrayAsync()).ShouldBe(png);

        var other = await TestOrganisation.CreateAsync(_factory);
        var outsider = await StaffClient.SignInAsync(_factory, other, "Admin");
        (await outsider.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE1, 0, 0, 0, 0, 0, 0, 0, 0 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0 }, "image/png")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50 }, "image/webp")]
    [InlineData(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63 }, "image/heic")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0, 0, 0, 0, 0, 0 }, null)]                // GIF
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x34, 0, 0, 0, 0 }, null)]          // PDF
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45 }, null)]          // WAV, also RIFF
    [InlineData(new byte[] { 0xFF, 0xD8 }, null)]
    public void Image_types_are_recognised_by_their_first_bytes(byte[] head, string? contentType) =>
        ImageSignatures.Detect(head)?.ContentType.ShouldBe(contentType);
}
