// Report form map (progressive enhancement). Without JavaScript, or if Leaflet fails to load, the panel stays hidden
// and the postcode field is the way to say where. With it, a pin writes the hidden latitude/longitude inputs.
// Keyboard: the map takes focus (arrow keys pan, + and - zoom) and "Put the pin in the centre of the map" places the pin.
(function () {
  'use strict';

  var panel = document.getElementById('report-map-panel');
  var latInput = document.getElementById('latitude');
  var lonInput = document.getElementById('longitude');
  if (!panel || !latInput || !lonInput || typeof window.L === 'undefined') {
    return;
  }

  var L = window.L;
  // The UK, with a small margin; the server checks the same box.
  var ukBounds = L.latLngBounds([49.8, -8.7], [60.95, 1.8]);
  var status = document.getElementById('report-map-status');
  var centreButton = document.getElementById('report-map-centre');
  var clearButton = document.getElementById('report-map-clear');

  panel.hidden = false;
  L.Icon.Default.imagePath = '/lib/leaflet/images/';

  var start = L.latLng(parseFloat(panel.getAttribute('data-lat')), parseFloat(panel.getAttribute('data-lon')));
  var map = L.map('report-map', {
    maxBounds: ukBounds.pad(0.1),
    minZoom: 5,
    keyboard: true,
  }).setView(start, parseInt(panel.getAttribute('data-zoom'), 10) || 13);
  map.getContainer().setAttribute('aria-label', 'Map. Use the arrow keys to move it and the plus and minus keys to zoom.');

  // The configured tile server (map-tiles.js, from the page's meta tag).
  window.civicDeskTiles(L, map);

  var marker = null;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function clearPin(announce) {
    if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
    latInput.value = '';
    lonInput.value = '';
    if (announce) {
      say('The pin has been removed.');
    }
  }

  function placePin(latlng) {
    if (!ukBounds.contains(latlng)) {
      say('That place is outside the UK. Choose a place in the UK, or enter a postcode instead.');
      return;
    }
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, { draggable: true, keyboard: false, title: 'The place you chose' }).addTo(map);
      marker.on('dragend', function () { placePin(marker.getLatLng()); });
    }
    say('Pin placed at latitude ' + latInput.value + ', longitude ' + lonInput.value + '.');
  }

  map.on('click', function (e) { placePin(e.latlng); });
  if (centreButton) {
    centreButton.addEventListener('click', function () { placePin(map.getCenter()); });
  }
  if (clearButton) {
    clearButton.addEventListener('click', function () { clearPin(true); });
  }

  // After a validation error the form comes back with the pin it was sent with.
  var lat = parseFloat(latInput.value);
  var lon = parseFloat(lonInput.value);
  if (isFinite(lat) && isFinite(lon)) {
    var previous = L.latLng(lat, lon);
    if (ukBounds.contains(previous)) {
      placePin(previous);
      map.setView(previous, Math.max(map.getZoom(), 15));
    } else {
      clearPin(false);
    }
  }
})();
