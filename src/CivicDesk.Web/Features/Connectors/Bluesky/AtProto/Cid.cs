using System.Security.Cryptography;

namespace CivicDesk.Web.Features.Connectors.Bluesky.AtProto;

/// <summary>
/// A content identifier (github.com/multiformats/cid): CIDv1 = varint version, varint codec (0x71 dag-cbor, 0x55 raw),
/// multihash (varint hash code, varint digest length, digest). CIDv0 is a bare sha2-256 multihash. The string form
/// of v1 is multibase base32 (lowercase, no padding, prefix 'b'), as in every atproto payload.
/// </summary>
public sealed class Cid : IEquatable<Cid>
{
    public const ulong DagCbor = 0x71;
    public const ulong Raw = 0x55;
    public const ulong Sha256 = 0x12;

    private readonly byte[] _bytes;

    private Cid(byte[] bytes, ulong version, ulong codec, ulong hashCode, int digestOffset)
    {
        _bytes = bytes;
        Version = version;
        Codec = codec;
        HashCode = hashCode;
        _digestOffset = digestOffset;
    }

    private readonly int _digestOffset;

    public ulong Version { get; }
    public ulong Codec { get; }
    public ulong HashCode { get; }
    public ReadOnlySpan<byte> Bytes => _bytes;
    public ReadOnlySpan<byte> Digest => _bytes.AsSpan(_digestOffset);

    /// <summary>Reads a binary CID from the start of <paramref name="data"/>.</summary>
    public static Cid Read(ReadOnlySpan<byte> data, out int consumed)
    {
        var pos = 0;
        if (data.Length >= 2 && data[0] == 0x12 && data[1] == 0x20)
        {
            consumed = 34;
            return data.Length >= 34 ? new Cid(data[..34].ToArray(), 0, DagCbor /* dag-pb in v0; unused here */, Sha256, 2) : throw new CborException("truncated CIDv0");
        }

        var version = Varint.Read(data, ref pos);
        if (version != 1)
        {
            throw new CborException($"CID version {version}");
        }

        var codec = Varint.Read(data, ref pos);
        var hash = Varint.Read(data, ref pos);
        var length = Varint.Read(data, ref pos);
        if (length > 64 || (ulong)(data.Length - pos) < length)
        {
            throw new CborException("CID digest length out of range");
        }

        var digestOffset = pos;
        pos += (int)length;
        consumed = pos;
        return new Cid(data[..pos].ToArray(), version, codec, hash, digestOffset);
    }

    /// <summary>True when the block's sha2-256 matches this CID's digest (the block is what the CID names).</summary>
    public bool Verifies(ReadOnlySpan<byte> block) => HashCode == Sha256 && SHA256.HashData(block).AsSpan().SequenceEqual(Digest);

    public override string ToString() => Version == 0 ? Convert.ToBase64String(_bytes) : "b" + Base32(_bytes);

    public bool Equals(Cid? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as Cid);

    public override int GetHashCode()
    {
        var h = new System.HashCode();
        h.AddBytes(_bytes);
        return h.ToHashCode();
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var chars = new char[(bytes.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, n = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[n++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars, 0, n);
    }
}

/// <summary>Unsigned LEB128 varints (multiformats unsigned-varint), at most 9 bytes.</summary>
public static class Varint
{
    public static ulong Read(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            if (pos >= data.Length)
            {
                throw new CborException("truncated varint");
            }

            var b = data[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new CborException("varint longer than 9 bytes");
    }
}
