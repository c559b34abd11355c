using System.Diagnostics;
using System.Text;
using CivicDesk.Web.Features.Connectors.Bluesky;
using CivicDesk.Web.Features.Connectors.Bluesky.AtProto;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

/// <summary>The DAG-CBOR, CID and CAR readers against the real relay frames and repo export of the payload corpus.</summary>
public sealed class DagCborCarTests
{
    /// <summary>jetstream_frames.bin.zst decompressed with the zstd command (Debian package zstd), then split into frames.</summary>
    public static List<byte[]> Frames()
    {
        var start = new ProcessStartInfo("zstd", ["-dc", BlueskyPayloads.PathOf("jetstream_frames.bin.zst")])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var zstd = Process.Start(start) ?? throw new InvalidOperationException("the zstd command is needed to read jetstream_frames.bin.zst");
        using var raw = new MemoryStream();
        zstd.StandardOutput.BaseStream.CopyTo(raw);
        zstd.WaitForExit();
        zstd.ExitCode.ShouldBe(0);
        var bytes = raw.ToArray();
        var frames = new List<byte[]>();
        for (var pos = 0; pos < bytes.Length;)
        {
            var length = BitConverter.ToInt32(bytes, pos);
            frames.Add(bytes.AsSpan(pos + 4, length).ToArray());
            pos += 4 + length;
        }

        return frames;
    }

    [SharedDataFact("payloads/bluesky")]
    public void Repo_car_holds_every_expected_record_and_every_block_hashes_to_its_cid()
    {
        var (roots, blocks) = CarReader.Read(File.ReadAllBytes(BlueskyPayloads.PathOf("jetstream_repo.car")));
        roots.ShouldHaveSingleItem();
        blocks.Where(b => !b.Cid.Verifies(b.Data.Span)).ShouldBeEmpty();
        blocks.ShouldContain(b => b.Cid.Equals(roots[0]));
        var byCid = blocks.ToDictionary(b => b.Cid.ToString(), b => b.Data);
        var expected = File.ReadAllLines(BlueskyPayloads.PathOf("jetstream_car_expected_records.tsv")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        expected.ShouldNotBeEmpty();
        foreach (var line in expected)
        {
            var (path, cid) = (line.Split('\t')[0], line.Split('\t')[1]);
            byCid.ShouldContainKey(cid);
            var record = DagCbor.DecodeAll(byCid[cid].Span).ShouldBeOfType<Dictionary<string, object?>>();
            record["$type"].ShouldBe(path.Split('/')[0]);
        }
    }

    [SharedDataFact("payloads/bluesky")]
    public void Relay_frames_decode_to_the_same_events_jetstream_produced_from_them()
    {
        var frames = Frames();
        frames.Count.ShouldBe(150);
        var headers = frames.Select(f => FirehoseFrame.Read(f)).ToList();
        headers.Count(h => h.Type == "#commit").ShouldBe(148);
        headers.Select(h => (long)h.Body["seq"]!).ShouldBe(Enumerable.Range(0, 150).Select(i => 31527015322L + i));

        var ops = frames.SelectMany(f => FirehoseFrame.Ops(f)).ToList();
        var jetstream = File.ReadAllLines(BlueskyPayloads.PathOf("jetstream_expected_v1.jsonl")).Where(l => l.Length > 0)
            .Select(l => { JetstreamParser.TryParse(Encoding.UTF8.GetBytes(l), null, out var e, out _); return e!; })
            .Where(e => e.Kind == JetstreamKind.Commit).ToList();
        ops.Count.ShouldBe(jetstream.Count);
        ops.Select(o => (o.Did, o.Collection, o.RecordKey, o.Action)).Order()
            .ShouldBe(jetstream.Select(e => (e.Did, e.Collection!, e.RecordKey!, e.Operation.ToString().ToLowerInvariant())).Order());

        var posts = ops.Where(o => o.Post is not null).ToDictionary(o => o.RecordKey);
        posts.Count.ShouldBe(17);
        foreach (var e in jetstream.Where(e => e.Post is not null))
        {
            var fromFrame = posts[e.RecordKey!];
            fromFrame.Cid!.ToString().ShouldBe(e.Cid);
            fromFrame.Post!.Text.ShouldBe(e.Post!.Text);
            fromFrame.Post.CreatedAt.ShouldBe(e.Post.CreatedAt);
            fromFrame.Post.Reply?.Parent?.Uri.ShouldBe(e.Post.Reply?.Parent?.Uri);
            fromFrame.Post.Embed?.Type.ShouldBe(e.Post.Embed?.Type);
            (fromFrame.Post.Facets?.Count ?? 0).ShouldBe(e.Post.Facets?.Count ?? 0);
        }
    }

    [SharedDataFact("payloads/bluesky")]
    public void Truncated_frames_throw_a_cbor_exception_and_nothing_else()
    {
        var frame = Frames().First(f => FirehoseFrame.Ops(f).Any(o => o.Post is not null));
        for (var cut = 0; cut < frame.Length; cut += 7)
        {
            Should.Throw<CborException>(() => FirehoseFrame.Ops(frame.AsMemory(0, cut)));
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x5f }, "indefinite")] // indefinite byte string
    [InlineData(new byte[] { 0xc1, 0x00 }, "tag 1")] // a tag other than 42
    [InlineData(new byte[] { 0xa1, 0x01, 0x02 }, "not a string")] // integer map key
    [InlineData(new byte[] { 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, "past the end")] // huge array length
    [InlineData(new byte[] { 0xf7 }, "simple value")] // undefined
    public void Outside_dag_cbor_is_rejected(byte[] data, string problem)
    {
        Should.Throw<CborException>(() => DagCbor.DecodeAll(data)).Message.ShouldContain(problem);
    }

    [Fact]
    public void Nesting_is_bounded()
    {
        var deep = Enumerable.Repeat((byte)0x81, 10_000).Append((byte)0x00).ToArray(); // [[[…0…]]]
        Should.Throw<CborException>(() => DagCbor.DecodeAll(deep)).Message.ShouldContain("deeper");
    }

    [Fact]
    public void Scalars_decode()
    {
        DagCbor.DecodeAll([0x18, 0x64]).ShouldBe(100L);
        DagCbor.DecodeAll([0x38, 0x63]).ShouldBe(-100L);
        DagCbor.DecodeAll([0x63, 0x61, 0x62, 0x63]).ShouldBe("abc");
        DagCbor.DecodeAll([0xf5]).ShouldBe(true);
        DagCbor.DecodeAll([0xf6]).ShouldBeNull();
        DagCbor.DecodeAll([0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]).ShouldBe(1.5);
    }
}
