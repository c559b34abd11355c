using CivicDesk.Web.Features.Connectors.Bluesky.AtProto;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

/// <summary>The atproto interop-tests syntax fixtures (interop/syntax/*.txt): one value a line, # comments.</summary>
public sealed class AtSyntaxTests
{
    public static TheoryData<string, bool> Fixtures() => new()
    {
        { "did", true }, { "did", false },
        { "handle", true }, { "handle", false },
        { "nsid", true }, { "nsid", false },
        { "tid", true }, { "tid", false },
        { "recordkey", true }, { "recordkey", false },
        { "aturi", true }, { "aturi", false },
    };

    [SharedDataTheory("payloads/bluesky")]
    [MemberData(nameof(Fixtures))]
    public void Interop_fixture_values_are_classified_as_the_fixture_says(string kind, bool valid)
    {
        Func<string, bool> check = kind switch
        {
            "did" => AtSyntax.IsDid,
            "handle" => AtSyntax.IsHandle,
            "nsid" => AtSyntax.IsNsid,
            "tid" => AtSyntax.IsTid,
            "recordkey" => AtSyntax.IsRecordKey,
            _ => AtSyntax.IsAtUri,
        };
        var file = Path.Combine(BlueskyPayloads.Folder, "interop", "syntax", $"{kind}_syntax_{(valid ? "valid" : "invalid")}.txt");
        var values = File.ReadAllLines(file).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        values.ShouldNotBeEmpty();
        var wrong = values.Where(v => check(v) != valid).ToList();
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void At_uri_parts_are_split()
    {
        AtSyntax.TryParseAtUri("at://did:plc:abc/app.bsky.feed.post/3mptbyoeyc22k", out var uri).ShouldBeTrue();
        uri.ShouldBe(new AtUri("did:plc:abc", "app.bsky.feed.post", "3mptbyoeyc22k"));
    }
}
