// The one tile layer of every Leaflet map. The server is configuration (Map:TileUrlTemplate, Map:TileAttribution,
// Map:TileAttributionUrl, Map:TileMaxZoom), written once into each page's <meta name="civicdesk-map-tiles"> by the
// layouts, and the Content-Security-Policy allows exactly that host; no map script names a tile server itself.
// An empty template means maps without tiles (markers and shapes still show).
(function () {
  'use strict';

  function escapeHtml(text) {
    var div = document.createElement('div');
    div.textContent = text || '';
    return div.innerHTML;
  }

  function settings() {
    var meta = document.querySelector('meta[name="civicdesk-map-tiles"]');
    if (!meta) {
      return null;
    }
    var maxZoom = parseInt(meta.getAttribute('data-max-zoom'), 10);
    return {
      url: meta.getAttribute('content') || '',
      attribution: meta.getAttribute('data-attribution') || '',
      attributionUrl: meta.getAttribute('data-attribution-url') || '',
      maxZoom: isNaN(maxZoom) ? 19 : maxZoom,
    };
  }

  // Adds the configured tile layer to a Leaflet map; returns the map's greatest zoom for callers that cap their own.
  window.civicDeskTiles = function (L, map) {
    var tiles = settings();
    if (!tiles || !tiles.url) {
      return tiles ? tiles.maxZoom : 19;
    }
    // Leaflet writes the attribution as HTML: the configured text is escaped and the link is ours.
    var attribution = escapeHtml(tiles.attribution);
    if (tiles.attributionUrl && /^https?:\/\//i.test(tiles.attributionUrl)) {
      attribution = '<a href="' + escapeHtml(tiles.attributionUrl) + '">' + attribution + '</a>';
    }
    L.tileLayer(tiles.url, { maxZoom: tiles.maxZoom, attribution: attribution }).addTo(map);
    return tiles.maxZoom;
  };
})();
