using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Features.Connectors.Bluesky.AtProto;

/// <summary>
/// Syntax checks for AT Protocol identifiers, after the specification (atproto.com/specs/did, /handle, /nsid,
/// /record-key, /at-uri-scheme) and checked against the atproto interop-tests syntax fixtures.
/// </summary>
public static partial class AtSyntax
{
    public static bool IsDid(string? value) =>
        value is { Length: > 0 and <= 2048 } && DidPattern().IsMatch(value);

    public static bool IsHandle(string? value) =>
        value is { Length: > 0 and <= 253 } && HandlePattern().IsMatch(value);

    public static bool IsNsid(string? value) =>
        value is { Length: > 0 and <= 317 } && NsidPattern().IsMatch(value);

    public static bool IsTid(string? value) =>
        value is { Length: 13 } && TidPattern().IsMatch(value);

    public static bool IsRecordKey(string? value) =>
        value is { Length: > 0 and <= 512 } and not "." and not ".." && RecordKeyPattern().IsMatch(value);

    /// <summary>A DID or a handle (what an at:// URI's authority may be).</summary>
    public static bool IsAtIdentifier(string? value) => IsDid(value) || IsHandle(value);

    /// <summary>Checks an at:// URI (authority, optional collection NSID and record key, optional fragment).</summary>
    public static bool IsAtUri(string? value) => TryParseAtUri(value, out _);

    public static bool TryParseAtUri(string? value, [NotNullWhen(true)] out AtUri? uri)
    {
        uri = null;
        if (value is null || value.Length > 8 * 1024)
        {
            return false;
        }

        var m = AtUriPattern().Match(value);
        if (!m.Success)
        {
            return false;
        }

        var authority = m.Groups["authority"].Value;
        var collection = m.Groups["collection"].Success ? m.Groups["collection"].Value : null;
        var rkey = m.Groups["rkey"].Success ? m.Groups["rkey"].Value : null;
        if (!IsAtIdentifier(authority) || (collection is not null && !IsNsid(collection)) || (rkey is not null && !IsRecordKey(rkey)))
        {
            return false;
        }

        uri = new AtUri(authority, collection, rkey);
        return true;
    }

    [GeneratedRegex(@"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$", RegexOptions.CultureInvariant)]
    private static partial Regex DidPattern();

    [GeneratedRegex(@"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex HandlePattern();

    [GeneratedRegex(@"^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+(\.[a-zA-Z]([a-zA-Z0-9]{0,62})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex NsidPattern();

    [GeneratedRegex(@"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex TidPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_~.:-]{1,512}$", RegexOptions.CultureInvariant)]
    private static partial Regex RecordKeyPattern();

    [GeneratedRegex(@"^at://(?<authority>[a-zA-Z0-9._:%-]+)(/(?<collection>[a-zA-Z0-9-.]+)(/(?<rkey>[a-zA-Z0-9._~:@!$&%')(*+,;=-]+))?)?(#(?<fragment>/[a-zA-Z0-9._~:@!$&%')(*+,;=\-\[\]/\\]*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex AtUriPattern();
}

/// <summary>The parts of an at:// URI: at://authority/collection/rkey.</summary>
public sealed record AtUri(string Authority, string? Collection, string? RecordKey)
{
    public override string ToString() =>
        Collection is null ? $"at://{Authority}" : RecordKey is null ? $"at://{Authority}/{Collection}" : $"at://{Authority}/{Collection}/{RecordKey}";
}
