// Idea page: a small read-only map with the idea's pin (progressive enhancement; the text says the same without it).
(function () {
  'use strict';
  var el = document.getElementById('idea-map');
  if (!el || typeof window.L === 'undefined') {
    return;
  }
  var L = window.L;
  L.Icon.Default.imagePath = '/lib/leaflet/images/';
  var at = L.latLng(parseFloat(el.getAttribute('data-lat')), parseFloat(el.getAttribute('data-lon')));
  var map = L.map(el, { scrollWheelZoom: false, keyboard: true }).setView(at, 16);
  // The configured tile server (map-tiles.js, from the page's meta tag).
  window.civicDeskTiles(L, map);
  L.marker(at, { keyboard: false }).addTo(map);
})();
