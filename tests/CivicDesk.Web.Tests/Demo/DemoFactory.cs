using System.Text.Json;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Demo;

/// <summary>
/// Demo mode on, the live feed off (tests add feed messages by hand), a known API key from the environment setting,
/// and a tiny "shared data" folder written for the test so the seeded texts are known.
/// </summary>
public class DemoFactory : CivicDeskFactory
{
    public const string ApiKey = "cdk_test-demo-key-0123456789abcdefghijklmnopqrstuv";

    public static readonly (string Id, string Text, string Label)[] Reports =
    [
        ("fms:1", "Very large pothole\nRight outside the bakery on Dog Lane", "highways_road_surface"),
        ("fms:2", "Street light out\nThe lamp outside number 4 has been dark for a week", "street_lighting"),
        ("fms:3", "Mattress dumped\nSomeone has left a mattress and bags in the lay-by", "flytipping"),
        ("fms:4", "Blocked drain\nWater pooling across the whole road after rain", "drainage_flooding"),
        ("fms:5", "Overgrown hedge\nBrambles blocking the footpath by the school", "trees_vegetation"),
        ("fms:6", "Ring me about this on 07700 900123 any time after six", "other"),
    ];

    public static readonly (string Id, string Text, string Domain)[] Tweets =
    [
        ("101", "@SomeRailCo the 8.24 is late again, third day running", "transport"),
        ("102", "@SomeEnergyCo how long is the outage in our street going to last?", "services"),
        ("103", "@SomeShop my order never arrived", "retail"),
    ];

    private readonly string _sharedData = WriteSharedData();

    public string SharedData => _sharedData;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Demo:Enabled", "true"),
        new("Demo:LiveFeed", "false"),
        new("CIVICDESK_DEMO_API_KEY", ApiKey),
        new("CIVICDESK_SHARED_DATA", _sharedData),
    ];

    private static string WriteSharedData()
    {
        var root = Directory.CreateTempSubdirectory("civicdesk-shared-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "service_requests_fms"));
        Directory.CreateDirectory(Path.Combine(root, "complaints"));
        File.WriteAllLines(Path.Combine(root, "service_requests_fms", "train.jsonl"), Reports.Select((r, i) => JsonSerializer.Serialize(new
        {
            id = r.Id, text = r.Text, label = r.Label, date = $"2024-0{i + 1}-10T09:30:00+00:00", lat = 51.9 + (i / 100.0), lon = -2.07,
        })));
        File.WriteAllLines(Path.Combine(root, "complaints", "train.jsonl"), Tweets.Select(t => JsonSerializer.Serialize(new
        {
            id = t.Id, text = t.Text, label = "complaint", domain = t.Domain,
        })));
        return root;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try { Directory.Delete(_sharedData, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
