using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Platform;

/// <summary>
/// The one tile server every Leaflet map uses (section <c>Map</c>). The layouts write it once into each page
/// (<c>meta name="civicdesk-map-tiles"</c>, read by wwwroot/js/map-tiles.js) and the Content-Security-Policy's
/// <c>img-src</c> is derived from it, so changing the server is one setting and nothing else.
/// </summary>
public sealed class MapTileOptions
{
    public const string Section = "Map";

    /// <summary>Leaflet XYZ template: {s} subdomain (first host label only), {z}/{x}/{y} tile. Empty: maps without tiles.</summary>
    [StringLength(500)]
    public string TileUrlTemplate { get; set; } = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png";

    /// <summary>Plain-text attribution the tile licence requires (OpenStreetMap: ODbL), shown on every map.</summary>
    [StringLength(300)]
    public string TileAttribution { get; set; } = "© OpenStreetMap contributors";

    /// <summary>Where the attribution links to (the licence or copyright page); empty for plain text.</summary>
    [StringLength(500)]
    public string TileAttributionUrl { get; set; } = "https://www.openstreetmap.org/copyright";

    /// <summary>The deepest zoom the server has tiles for (OpenStreetMap's standard layer: 19).</summary>
    [Range(1, 24)]
    public int TileMaxZoom { get; set; } = 19;

    /// <summary>
    /// The CSP source that allows the template's tiles: scheme, host and port, with a placeholder in the first host label
    /// ({s}) as the wildcard CSP allows there (<c>https://*.tile.openstreetmap.org</c>). Null for no tiles or a bad template.
    /// </summary>
    public static string? CspSource(string? template)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return null;
        }

        var schemeEnd = template.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return null;
        }

        var scheme = template[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("https" or "http"))
        {
            return null;
        }

        var rest = template[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var labels = authority.Split('.');
        if (labels[0].Contains('{', StringComparison.Ordinal))
        {
            labels[0] = "*";
        }

        var host = string.Join('.', labels);
        // CSP allows a wildcard only as the whole first label; anything else in the host must be a real name.
        return labels.Skip(1).Any(l => l.Contains('{', StringComparison.Ordinal) || l.Length == 0)
               || Uri.CheckHostName(host.Replace("*.", "", StringComparison.Ordinal).Split(':')[0]) == UriHostNameType.Unknown
               || host.IndexOfAny([' ', ';', '\'', '"', ',']) >= 0
            ? null
            : $"{scheme}://{host}";
    }

    /// <summary>Checked at start-up: a template the CSP cannot allow would give maps with no tiles and no clue why.</summary>
    internal sealed class Validator : IValidateOptions<MapTileOptions>
    {
        public ValidateOptionsResult Validate(string? name, MapTileOptions options)
        {
            var template = options.TileUrlTemplate;
            if (string.IsNullOrWhiteSpace(template))
            {
                return ValidateOptionsResult.Success;
            }

            if (CspSource(template) is null)
            {
                return ValidateOptionsResult.Fail(
                    $"Map:TileUrlTemplate must be an http(s) URL whose host is a name (a {{s}} placeholder only in its first label): {template}");
            }

            return template.Contains("{z}", StringComparison.Ordinal) && template.Contains("{x}", StringComparison.Ordinal) && template.Contains("{y}", StringComparison.Ordinal)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Map:TileUrlTemplate must contain {{z}}, {{x}} and {{y}}: {template}");
        }
    }
}
