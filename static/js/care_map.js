// The requests map on the coordinators' list: loads the GeoJSON layer named by the element's
// data attributes. Tiles that cannot load leave the markers shown on a plain background.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("care-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { scrollWheelZoom: false, zoomControl: false }).setView([48.0, 67.0], 5);
    // Leaflet's zoom buttons and credit carry English titles: ours come from the page.
    L.control.zoom({ zoomInTitle: el.dataset.zoomIn, zoomOutTitle: el.dataset.zoomOut }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
    }
    fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var p = feature.properties || {};
            return L.circleMarker(latlng, {
              radius: 8, weight: 2, color: p.overdue ? "#b45309" : (p.urgency === "urgent" ? "#8a1c1c" : "#1d4ed8"),
              fillOpacity: 0.5
            });
          },
          onEachFeature: function (feature, marker) {
            var p = feature.properties || {};
            var link = document.createElement("a");
            link.href = p.url;
            link.textContent = (p.kind_display || p.kind) + (p.locality ? " · " + p.locality : "");
            marker.bindPopup(link);
          }
        }).addTo(map);
        if (data.features && data.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 12, padding: [20, 20] }); }
        el.setAttribute("data-loaded", String((data.features || []).length));
      })
      .catch(function () { el.setAttribute("data-loaded", "error"); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
