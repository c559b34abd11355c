// Declare-an-incident map (progressive enhancement). Without JavaScript the centre/radius fields and the GeoJSON box
// are the way to give the area. With it, Leaflet-Geoman draws a circle, rectangle or polygon and fills them in.
(function () {
  'use strict';

  var panel = document.getElementById('incident-map-panel');
  var lat = document.getElementById('latitude');
  var lon = document.getElementById('longitude');
  var radius = document.getElementById('radius');
  var geojson = document.getElementById('area-geojson');
  var kindCircle = document.getElementById('area-kind');
  var kindPolygon = document.getElementById('area-kind-polygon');
  var status = document.getElementById('incident-map-status');
  if (!panel || !lat || !lon || !radius || !geojson || typeof window.L === 'undefined' || !window.L.PM) {
    return;
  }

  var L = window.L;
  panel.hidden = false;
  L.Icon.Default.imagePath = '/lib/leaflet/images/';
  var start = L.latLng(parseFloat(panel.getAttribute('data-lat')), parseFloat(panel.getAttribute('data-lon')));
  var map = L.map('incident-map', { keyboard: true, minZoom: 5 }).setView(start, parseInt(panel.getAttribute('data-zoom'), 10) || 13);
  map.getContainer().setAttribute('aria-label', 'Map for drawing the incident area. Use the arrow keys to move it and the plus and minus keys to zoom.');
  // The configured tile server (map-tiles.js, from the page's meta tag).
  window.civicDeskTiles(L, map);

  map.pm.addControls({
    position: 'topleft', drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawText: false,
    drawRectangle: true, drawPolygon: true, drawCircle: true, cutPolygon: false, rotateMode: false,
    editMode: true, dragMode: true, removalMode: true,
  });
  // Geoman's toolbar buttons are empty links titled on their container: give each its name, so screen readers
  // and voice control can find "Draw Polygon" (WCAG 4.1.2).
  map.getContainer().querySelectorAll('.leaflet-pm-toolbar .button-container[title]').forEach(function (c) {
    var button = c.querySelector('a');
    if (button) { button.setAttribute('aria-label', c.getAttribute('title')); }
  });

  var drawn = null;

  function say(text) { if (status) { status.textContent = text; } }

  function write(layer) {
    if (layer instanceof L.Circle) {
      var c = layer.getLatLng();
      lat.value = c.lat.toFixed(6);
      lon.value = c.lng.toFixed(6);
      radius.value = Math.round(layer.getRadius());
      geojson.value = '';
      kindCircle.checked = true;
      say('Circle of ' + radius.value + ' metres around ' + lat.value + ', ' + lon.value + '.');
    } else {
      geojson.value = JSON.stringify(layer.toGeoJSON().geometry);
      kindPolygon.checked = true;
      say('Area drawn with ' + (layer.getLatLngs()[0] || []).length + ' corners.');
    }
  }

  function keep(layer) {
    if (drawn && drawn !== layer) { map.removeLayer(drawn); }
    drawn = layer;
    layer.on('pm:edit pm:dragend', function () { write(layer); });
    write(layer);
  }

  map.on('pm:create', function (e) { keep(e.layer); });
  map.on('pm:remove', function (e) {
    if (e.layer === drawn) {
      drawn = null;
      geojson.value = '';
      say('The drawn area has been removed.');
    }
  });

  // Show what the form already holds (after a validation error, or typed in by hand).
  try {
    if (kindPolygon.checked && geojson.value.trim()) {
      var shape = L.geoJSON(JSON.parse(geojson.value)).getLayers()[0];
      if (shape) { shape.addTo(map); drawn = shape; map.fitBounds(shape.getBounds()); }
    } else if (isFinite(parseFloat(lat.value)) && isFinite(parseFloat(lon.value)) && isFinite(parseFloat(radius.value))) {
      drawn = L.circle([parseFloat(lat.value), parseFloat(lon.value)], { radius: parseFloat(radius.value) }).addTo(map);
      map.fitBounds(drawn.getBounds());
    }
  } catch (err) {
    say('The GeoJSON in the box below could not be shown on the map.');
  }
})();
