using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace CivicDesk.Web.Features.Open311;

/// <summary>The two GeoReport v2 formats, chosen by the URL's suffix (<c>services.xml</c>, <c>services.json</c>).</summary>
public enum Open311Format
{
    Xml,
    Json,
}

/// <summary>
/// An ordered record of named fields, written as XML elements or JSON properties in that order. Values: string,
/// bool, int, long, double, decimal, <see cref="DateTimeOffset"/> (W3C datetime with offset), null (an empty element /
/// JSON null), <see cref="Open311Record"/> or <see cref="Open311List"/>.
/// </summary>
public sealed class Open311Record : List<KeyValuePair<string, object?>>
{
    public void Add(string name, object? value) => Add(new KeyValuePair<string, object?>(name, value));
}

/// <summary>
/// A repeated element: XML <c>&lt;attributes&gt;&lt;attribute/&gt;…&lt;/attributes&gt;</c>, JSON <c>"attributes": [...]</c>.
/// </summary>
public sealed record Open311List(string ItemName, IReadOnlyList<Open311Record> Items);

/// <summary>Repeated plain values: XML <c>&lt;formats&gt;&lt;format&gt;text/xml&lt;/format&gt;…</c>, JSON <c>"formats": ["text/xml"]</c>.</summary>
public sealed record Open311Values(string ItemName, IReadOnlyList<string> Items);

/// <summary>
/// Writes GeoReport v2 responses. XML as the spec's examples (UTF-8 declaration, lower-case element names); JSON as the
/// spec's "programmatic" mapping: a list is a top-level array, a single document (service definition) an object.
/// </summary>
public static class Open311Writer
{
    public const string XmlContentType = "text/xml; charset=utf-8";
    public const string JsonContentType = "application/json; charset=utf-8";

    private static readonly XmlWriterSettings XmlSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        // FixMyStreet sends CRLF inside descriptions and expects them back: a literal CR would be folded into LF by
        // any XML parser (XML 1.0 §2.11), so CRs are written as &#xD;.
        NewLineHandling = NewLineHandling.Entitize,
        NewLineChars = "\n",
    };

    public static string ContentType(Open311Format format) => format == Open311Format.Xml ? XmlContentType : JsonContentType;

    /// <summary>A list document: XML <c>&lt;root&gt;&lt;item/&gt;…&lt;/root&gt;</c>, JSON an array of objects.</summary>
    public static byte[] List(Open311Format format, string rootName, string itemName, IEnumerable<Open311Record> items) =>
        format == Open311Format.Xml
            ? WriteXml(x =>
            {
                x.WriteStartElement(rootName);
                foreach (var item in items)
                {
                    WriteXmlRecord(x, itemName, item);
                }

                x.WriteEndElement();
            })
            : WriteJson(j =>
            {
                j.WriteStartArray();
                foreach (var item in items)
                {
                    WriteJsonRecord(j, item);
                }

                j.WriteEndArray();
            });

    /// <summary>A single document: XML <c>&lt;root&gt;…&lt;/root&gt;</c>, JSON an object.</summary>
    public static byte[] Document(Open311Format format, string rootName, Open311Record record) =>
        format == Open311Format.Xml
            ? WriteXml(x => WriteXmlRecord(x, rootName, record))
            : WriteJson(j => WriteJsonRecord(j, record));

    /// <summary>W3C datetime (ISO 8601 with offset) in the organisation's zone, e.g. 2026-07-01T09:30:00+01:00.</summary>
    public static string Datetime(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static byte[] WriteXml(Action<XmlWriter> body)
    {
        using var stream = new MemoryStream();
        using (var x = XmlWriter.Create(stream, XmlSettings))
        {
            x.WriteStartDocument();
            body(x);
            x.WriteEndDocument();
        }

        return stream.ToArray();
    }

    private static void WriteXmlRecord(XmlWriter x, string name, Open311Record record)
    {
        x.WriteStartElement(name);
        foreach (var (field, value) in record)
        {
            switch (value)
            {
                case Open311Record inner:
                    WriteXmlRecord(x, field, inner);
                    break;
                case Open311List list:
                    x.WriteStartElement(field);
                    foreach (var item in list.Items)
                    {
                        WriteXmlRecord(x, list.ItemName, item);
                    }

                    x.WriteEndElement();
                    break;
                case Open311Values values:
                    x.WriteStartElement(field);
                    foreach (var item in values.Items)
                    {
                        x.WriteElementString(values.ItemName, XmlSafe(item));
                    }

                    x.WriteEndElement();
                    break;
                default:
                    x.WriteStartElement(field);
                    if (Text(value) is { } text)
                    {
                        x.WriteString(XmlSafe(text));
                    }

                    x.WriteEndElement();
                    break;
            }
        }

        x.WriteEndElement();
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            body(j);
        }

        return stream.ToArray();
    }

    private static void WriteJsonRecord(Utf8JsonWriter j, Open311Record record)
    {
        j.WriteStartObject();
        foreach (var (field, value) in record)
        {
            j.WritePropertyName(field);
            switch (value)
            {
                case null: j.WriteNullValue(); break;
                case bool b: j.WriteBooleanValue(b); break;
                case int i: j.WriteNumberValue(i); break;
                case long l: j.WriteNumberValue(l); break;
                case double d: j.WriteNumberValue(d); break;
                case decimal m: j.WriteNumberValue(m); break;
                case Open311Record inner: WriteJsonRecord(j, inner); break;
                case Open311List list:
                    j.WriteStartArray();
                    foreach (var item in list.Items)
                    {
                        WriteJsonRecord(j, item);
                    }

                    j.WriteEndArray();
                    break;
                case Open311Values values:
                    j.WriteStartArray();
                    foreach (var item in values.Items)
                    {
                        j.WriteStringValue(item);
                    }

                    j.WriteEndArray();
                    break;
                default: j.WriteStringValue(Text(value)); break;
            }
        }

        j.WriteEndObject();
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        DateTimeOffset d => Datetime(d),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>Drops characters XML 1.0 cannot carry at all (control characters other than tab, LF and CR).</summary>
    private static string XmlSafe(string text)
    {
        foreach (var c in text)
        {
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c))
            {
                return new string(text.Where(ch => XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch)).ToArray());
            }
        }

        return text;
    }
}
