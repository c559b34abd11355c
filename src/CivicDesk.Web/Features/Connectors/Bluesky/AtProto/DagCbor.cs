using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace CivicDesk.Web.Features.Connectors.Bluesky.AtProto;

/// <summary>A CBOR item that could not be read: truncated, too deep, too large, or outside DAG-CBOR.</summary>
public sealed class CborException(string message) : Exception(message);

/// <summary>
/// A small reader for DAG-CBOR (RFC 8949 restricted by ipld.io/specs/codecs/dag-cbor): major types 0–7 with
/// definite lengths only, text map keys, tag 42 for CIDs (a byte string with a 0x00 prefix), no other tags, and
/// floats decoded but rare. Items decode to long, byte[], string, List&lt;object?&gt;, Dictionary&lt;string, object?&gt;,
/// bool, null, double and <see cref="Cid"/>. Depth and lengths are bounded so hostile frames cannot exhaust memory.
/// </summary>
public static class DagCbor
{
    public const int MaxDepth = 64;

    /// <summary>Decodes the first item of <paramref name="data"/>; <paramref name="consumed"/> says how many bytes it took.</summary>
    public static object? Decode(ReadOnlySpan<byte> data, out int consumed)
    {
        var pos = 0;
        var value = Read(data, ref pos, 0);
        consumed = pos;
        return value;
    }

    /// <summary>Decodes one item that must fill <paramref name="data"/> exactly.</summary>
    public static object? DecodeAll(ReadOnlySpan<byte> data)
    {
        var value = Decode(data, out var consumed);
        return consumed == data.Length ? value : throw new CborException($"{data.Length - consumed} bytes after the item");
    }

    private static object? Read(ReadOnlySpan<byte> data, ref int pos, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new CborException("nested deeper than " + MaxDepth);
        }

        var initial = Byte(data, ref pos);
        var major = initial >> 5;
        var info = initial & 0x1f;
        if (major == 7)
        {
            return info switch
            {
                20 => false,
                21 => true,
                22 => null,
                25 => (double)BinaryPrimitives.ReadHalfBigEndian(Take(data, ref pos, 2)),
                26 => (double)BinaryPrimitives.ReadSingleBigEndian(Take(data, ref pos, 4)),
                27 => BinaryPrimitives.ReadDoubleBigEndian(Take(data, ref pos, 8)),
                _ => throw new CborException($"simple value {info} is not allowed"),
            };
        }

        var argument = Argument(data, ref pos, info);
        switch (major)
        {
            case 0:
                return argument <= long.MaxValue ? (long)argument : throw new CborException("integer too large");
            case 1:
                return argument <= long.MaxValue ? -1 - (long)argument : throw new CborException("integer too small");
            case 2:
                return Take(data, ref pos, Length(data, pos, argument)).ToArray();
            case 3:
                return Encoding.UTF8.GetString(Take(data, ref pos, Length(data, pos, argument)));
            case 4:
            {
                var count = Length(data, pos, argument); // each item takes at least one byte
                var list = new List<object?>(count);
                for (var i = 0; i < count; i++)
                {
                    list.Add(Read(data, ref pos, depth + 1));
                }

                return list;
            }

            case 5:
            {
                var count = Length(data, pos, argument);
                if ((ulong)count * 2 > (ulong)(data.Length - pos))
                {
                    throw new CborException("map runs past the end of the data"); // an entry takes at least two bytes
                }

                var map = new Dictionary<string, object?>(count, StringComparer.Ordinal);
                for (var i = 0; i < count; i++)
                {
                    if (Read(data, ref pos, depth + 1) is not string key)
                    {
                        throw new CborException("map key is not a string");
                    }

                    if (!map.TryAdd(key, Read(data, ref pos, depth + 1)))
                    {
                        throw new CborException("duplicate map key");
                    }
                }

                return map;
            }

            case 6:
                if (argument != 42)
                {
                    throw new CborException($"tag {argument} is not allowed");
                }

                if (Read(data, ref pos, depth + 1) is not byte[] { Length: > 1 } link || link[0] != 0)
                {
                    throw new CborException("tag 42 does not hold a 0x00-prefixed byte string");
                }

                return Cid.Read(link.AsSpan(1), out _);
            default:
                throw new CborException($"major type {major}");
        }
    }

    private static ulong Argument(ReadOnlySpan<byte> data, ref int pos, int info) => info switch
    {
        < 24 => (ulong)info,
        24 => Byte(data, ref pos),
        25 => BinaryPrimitives.ReadUInt16BigEndian(Take(data, ref pos, 2)),
        26 => BinaryPrimitives.ReadUInt32BigEndian(Take(data, ref pos, 4)),
        27 => BinaryPrimitives.ReadUInt64BigEndian(Take(data, ref pos, 8)),
        31 => throw new CborException("indefinite lengths are not allowed in DAG-CBOR"),
        _ => throw new CborException($"reserved additional information {info}"),
    };

    private static int Length(ReadOnlySpan<byte> data, int pos, ulong length) =>
        length <= (ulong)(data.Length - pos) ? (int)length : throw new CborException("length runs past the end of the data");

    private static byte Byte(ReadOnlySpan<byte> data, ref int pos) =>
        pos < data.Length ? data[pos++] : throw new CborException("unexpected end of data");

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        if (count > data.Length - pos)
        {
            throw new CborException("unexpected end of data");
        }

        var slice = data.Slice(pos, count);
        pos += count;
        return slice;
    }

    /// <summary>The atproto JSON form of a decoded item (CIDs as {"$link"}, bytes as {"$bytes"}), for lexicon types.</summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        string s => JsonValue.Create(s),
        byte[] bytes => new JsonObject { ["$bytes"] = Convert.ToBase64String(bytes).TrimEnd('=') },
        Cid cid => new JsonObject { ["$link"] = cid.ToString() },
        List<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        Dictionary<string, object?> map => new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        _ => throw new CborException("unexpected decoded type"),
    };
}
