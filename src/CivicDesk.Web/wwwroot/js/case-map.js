// Case maps (progressive enhancement; CSP-safe: no inline script, data comes from data- attributes and JSON).
//  - [data-public-map]: the public map of open cases, clustered (leaflet.markercluster), each pin linking to the
//    public case page. The server-rendered list below it is the real content: without JavaScript, Leaflet or tiles
//    the page still works.
//  - [data-case-map]: one pin for one case (staff case page, public case page).
// Tiles come from the configured server through map-tiles.js (Map:TileUrlTemplate); none when it is empty.
(function () {
  'use strict';

  if (typeof window.L === 'undefined') {
    return;
  }
  var L = window.L;
  L.Icon.Default.imagePath = '/lib/leaflet/images/';

  function baseMap(container, lat, lon, zoom) {
    container.hidden = false;
    var map = L.map(container, { keyboard: true, scrollWheelZoom: false }).setView([lat, lon], zoom);
    map.getContainer().setAttribute('aria-label', 'Map. Use the arrow keys to move it and the plus and minus keys to zoom.');
    window.civicDeskTiles(L, map);
    return map;
  }

  function number(el, name, fallback) {
    var v = parseFloat(el.getAttribute(name));
    return isNaN(v) ? fallback : v;
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-case-map]'), function (el) {
    var lat = number(el, 'data-lat', NaN);
    var lon = number(el, 'data-lon', NaN);
    if (isNaN(lat) || isNaN(lon)) {
      return;
    }
    var map = baseMap(el, lat, lon, number(el, 'data-zoom', 16));
    L.marker([lat, lon], { title: el.getAttribute('data-label') || 'Location', keyboard: false }).addTo(map);
  });

  var publicMap = document.querySelector('[data-public-map]');
  if (!publicMap) {
    return;
  }

  var map = baseMap(publicMap, number(publicMap, 'data-lat', 51.9), number(publicMap, 'data-lon', -2.08), number(publicMap, 'data-zoom', 13));
  var layer = typeof L.markerClusterGroup === 'function' ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.layerGroup();
  map.addLayer(layer);

  fetch(publicMap.getAttribute('data-cases-url'), { headers: { Accept: 'application/geo+json, application/json' }, credentials: 'same-origin' })
    .then(function (response) {
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      return response.json();
    })
    .then(function (collection) {
      var bounds = [];
      (collection.features || []).forEach(function (f) {
        var c = f.geometry && f.geometry.coordinates;
        if (!c || c.length < 2) {
          return;
        }
        // GeoJSON is [longitude, latitude]; Leaflet wants [latitude, longitude].
        var latlng = [c[1], c[0]];
        var p = f.properties || {};
        var marker = L.marker(latlng, { title: p.reference + ': ' + p.service + ' (' + p.status + ')' });
        var link = document.createElement('a');
        link.className = 'govuk-link';
        link.href = p.url;
        link.textContent = p.reference + ': ' + p.service;
        var popup = document.createElement('div');
        popup.appendChild(link);
        var status = document.createElement('p');
        status.className = 'govuk-body-s';
        status.textContent = p.status;
        popup.appendChild(status);
        marker.bindPopup(popup);
        layer.addLayer(marker);
        bounds.push(latlng);
      });
      if (bounds.length > 0) {
        map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
      }
      publicMap.setAttribute('data-loaded', String(bounds.length));
    })
    .catch(function () {
      // The list below the map still has every case.
      publicMap.setAttribute('data-loaded', 'error');
    });
})();
