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
  L.tileLayer('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png', {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
  }).addTo(map);
  L.marker(at, { keyboard: false }).addTo(map);
})();
