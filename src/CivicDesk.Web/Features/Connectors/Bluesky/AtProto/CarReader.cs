namespace CivicDesk.Web.Features.Connectors.Bluesky.AtProto;

/// <summary>One block of a CAR file: its CID and bytes.</summary>
public sealed record CarBlock(Cid Cid, ReadOnlyMemory<byte> Data);

/// <summary>
/// CAR v1 (ipld.io/specs/transport/car/carv1): varint header length, DAG-CBOR header {version: 1, roots: [CID]},
/// then blocks, each a varint length followed by a binary CID and the block's bytes. Used for
/// com.atproto.sync.getRepo exports and the <c>blocks</c> of firehose commit frames.
/// </summary>
public static class CarReader
{
    public static (IReadOnlyList<Cid> Roots, IReadOnlyList<CarBlock> Blocks) Read(ReadOnlyMemory<byte> car)
    {
        var span = car.Span;
        var pos = 0;
        var headerLength = Varint.Read(span, ref pos);
        if (headerLength > (ulong)(span.Length - pos))
        {
            throw new CborException("CAR header runs past the end");
        }

        if (DagCbor.DecodeAll(span.Slice(pos, (int)headerLength)) is not Dictionary<string, object?> header
            || header.GetValueOrDefault("version") is not 1L || header.GetValueOrDefault("roots") is not List<object?> roots)
        {
            throw new CborException("not a CAR v1 header");
        }

        pos += (int)headerLength;
        var blocks = new List<CarBlock>();
        while (pos < span.Length)
        {
            var length = Varint.Read(span, ref pos);
            if (length == 0 || length > (ulong)(span.Length - pos))
            {
                throw new CborException("CAR block length out of range");
            }

            var cid = Cid.Read(span.Slice(pos, (int)length), out var cidLength);
            blocks.Add(new CarBlock(cid, car.Slice(pos + cidLength, (int)length - cidLength)));
            pos += (int)length;
        }

        return (roots.OfType<Cid>().ToList(), blocks);
    }
}
