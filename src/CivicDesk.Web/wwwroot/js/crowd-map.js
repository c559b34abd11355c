// Crowd-mapping projects (progressive enhancement). Shows the project's layer (data-layer, GeoJSON) in its colour;
// on the public page, when the "add a feature" form is there, draws one point, line or area with Leaflet-Geoman, or
// with the keyboard (move the map, "Add the centre of the map"), and writes it as GeoJSON into the #geometry box,
// which is also the way to give it without JavaScript.
(function () {
  'use strict';
  var panel = document.getElementById('crowd-map-panel');
  if (!panel || typeof window.L === 'undefined') {
    return;
  }
  var L = window.L;
  panel.hidden = false;
  L.Icon.Default.imagePath = '/lib/leaflet/images/';
  var colour = panel.getAttribute('data-colour') || '#1d70b8';
  var start = L.latLng(parseFloat(panel.getAttribute('data-lat')), parseFloat(panel.getAttribute('data-lon')));
  var map = L.map('crowd-map', { keyboard: true, minZoom: 5 }).setView(start, parseInt(panel.getAttribute('data-zoom'), 10) || 13);
  window.civicDeskTiles(L, map);
  // The legend's swatches take the layer colour here (the Content-Security-Policy allows no style attributes).
  document.querySelectorAll('.civicdesk-map-legend__swatch[data-colour]').forEach(function (s) {
    s.style.backgroundColor = s.getAttribute('data-colour');
  });

  function style(feature) {
    var pending = feature && feature.properties && feature.properties.state === 'pending';
    return { color: colour, weight: 4, opacity: 0.9, fillOpacity: 0.2, dashArray: pending ? '6 6' : null };
  }

  var layer = L.geoJSON(null, {
    style: style,
    pointToLayer: function (feature, at) {
      return L.circleMarker(at, { radius: 7, color: colour, weight: 3, fillOpacity: 0.6, dashArray: style(feature).dashArray });
    },
  }).addTo(map);
  var url = panel.getAttribute('data-layer');
  if (url) {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/geo+json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.features && data.features.length) {
          layer.addData(data);
          if (!panel.hasAttribute('data-keep-view')) { map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] }); }
        }
      })
      .catch(function () { /* the table lists the same features */ });
  }

  var box = document.getElementById('geometry');
  var kind = panel.getAttribute('data-kind');
  if (!box || !kind) {
    return;
  }
  var status = document.getElementById('crowd-map-status');
  function say(text) { if (status) { status.textContent = text; } }
  var drawn = null;
  var vertices = [];

  function write() {
    if (!drawn) { box.value = ''; return; }
    box.value = JSON.stringify(drawn.toGeoJSON().geometry);
  }

  function keep(shape) {
    if (drawn && drawn !== shape) { map.removeLayer(drawn); }
    drawn = shape;
    if (shape.on) { shape.on('pm:edit pm:dragend', write); }
    write();
  }

  if (L.PM && map.pm) {
    map.pm.addControls({
      position: 'topleft', drawMarker: kind === 'Point', drawCircleMarker: false, drawPolyline: kind === 'LineString', drawText: false,
      drawRectangle: false, drawPolygon: kind === 'Polygon', drawCircle: false, cutPolygon: false, rotateMode: false,
      editMode: true, dragMode: true, removalMode: true,
    });
    // Geoman's buttons are empty links titled on their container: name them for screen readers and voice control.
    map.getContainer().querySelectorAll('.leaflet-pm-toolbar .button-container[title]').forEach(function (c) {
      var a = c.querySelector('a');
      if (a) { a.setAttribute('aria-label', c.getAttribute('title')); }
    });
    map.on('pm:create', function (e) {
      vertices = [];
      keep(e.layer);
      say(kind === 'Point' ? 'Point placed.' : 'Shape drawn with ' + (kind === 'Polygon' ? e.layer.getLatLngs()[0] : e.layer.getLatLngs()).length + ' points.');
    });
    map.on('pm:remove', function (e) { if (e.layer === drawn) { drawn = null; vertices = []; write(); say('The drawing has been removed.'); } });
  }

  // The keyboard way: each press adds the centre of the map (a point is replaced; a line or area grows).
  function fromVertices() {
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    if (vertices.length === 0) { write(); return; }
    var shape;
    if (kind === 'Point') {
      shape = L.marker(vertices[0]);
    } else if (kind === 'LineString') {
      shape = vertices.length > 1 ? L.polyline(vertices, { color: colour }) : L.circleMarker(vertices[0], { radius: 4, color: colour });
    } else {
      shape = vertices.length > 2 ? L.polygon(vertices, { color: colour }) : L.polyline(vertices, { color: colour });
    }
    shape.addTo(map);
    drawn = shape;
    var complete = kind === 'Point' || (kind === 'LineString' && vertices.length > 1) || vertices.length > 2;
    if (complete) { write(); } else { box.value = ''; }
  }

  var add = document.getElementById('crowd-map-add');
  var undo = document.getElementById('crowd-map-undo');
  var clear = document.getElementById('crowd-map-clear');
  if (add) {
    add.addEventListener('click', function () {
      var c = map.getCenter();
      if (kind === 'Point') { vertices = [c]; } else { vertices.push(c); }
      fromVertices();
      say(kind === 'Point' ? 'Point placed at the centre of the map.' : vertices.length + ' point' + (vertices.length === 1 ? '' : 's') + ' added. Move the map and add the next one.');
    });
  }
  if (undo) {
    undo.addEventListener('click', function () { vertices.pop(); fromVertices(); say(vertices.length + ' points left.'); });
  }
  if (clear) {
    clear.addEventListener('click', function () { vertices = []; fromVertices(); say('The drawing has been removed.'); });
  }

  // Show what the box already holds (after a validation error).
  try {
    if (box.value.trim()) {
      var existing = L.geoJSON(JSON.parse(box.value)).getLayers()[0];
      if (existing) { existing.addTo(map); keep(existing); }
    }
  } catch (err) {
    say('The GeoJSON in the box below could not be shown on the map.');
  }
})();
