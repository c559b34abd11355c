using CivicDesk.Web.Features.Demo;

namespace CivicDesk.Web.Tests.Demo;

public sealed class DemoDataTests
{
    [Fact]
    public void Without_the_shared_data_the_built_in_sample_is_used()
    {
        var folder = DemoData.Locate(Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N")));
        folder.ShouldBeNull();

        var data = DemoData.Load(folder);

        data.IsSample.ShouldBeTrue();
        data.Reports.Count.ShouldBeGreaterThanOrEqualTo(40);
        data.SocialPosts.ShouldNotBeEmpty();
        data.Reports.Select(r => r.Id).ShouldBeUnique();
        data.Reports.ShouldAllBe(r => r.Latitude != null && r.Longitude != null && DemoData.Suitable(r.Text));
    }

    [Fact]
    public void Shared_data_is_found_by_walking_up_from_a_working_directory()
    {
        var root = Directory.CreateTempSubdirectory("civicdesk-walk-").FullName;
        try
        {
            var data = Path.Combine(root, "shared", "data", "service_requests_fms");
            Directory.CreateDirectory(data);
            File.WriteAllText(Path.Combine(data, "train.jsonl"), "");
            var deep = Directory.CreateDirectory(Path.Combine(root, "main", "src", "CivicDesk.Web", "bin")).FullName;

            DemoData.Locate(null, null, deep).ShouldBe(Path.Combine(root, "shared", "data"));
            // A set variable is taken at its word: no walking when it points somewhere wrong.
            DemoData.Locate(Path.Combine(root, "elsewhere"), deep).ShouldBeNull();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("Pothole on the corner of Mill Lane, very deep", true)]
    [InlineData("Call me on 01234 567 890 about the pothole please", false)]
    [InlineData("Email jo.bloggs@example.com about the fly-tipping", false)]
    [InlineData("Too short", false)]
    public void Texts_with_contact_details_are_left_out(string text, bool suitable) => DemoData.Suitable(text).ShouldBe(suitable);

    [Fact]
    public void Reports_are_picked_from_every_category_first()
    {
        var all = Enumerable.Range(0, 300)
            .Select(i => new DemoReport($"r{i}", $"Report number {i} about something", 51.9, -2.07, new DateTime(2024, 1, 1).AddHours(i), i < 290 ? "highways_road_surface" : "parking"))
            .ToList();

        var picked = DemoSeeder.PickReports(all, 20, new Random(1));

        picked.Count.ShouldBe(20);
        picked.Count(r => r.Label == "parking").ShouldBeGreaterThanOrEqualTo(4);
        picked.Select(r => r.Id).ShouldBeUnique();
        picked.Select(r => r.Date).ShouldBeInOrder();
    }
}
