/* The map page: markers, popups, the list beside the map and "near me", all from the public
   GeoJSON endpoints (/api/map/...). Tiles are decoration: when they cannot load, a note says
   so and everything else keeps working. Text comes translated from the page (#map-config). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var T = config.text;
  var LIST_LIMIT = 200;
  var REGION_ZOOM = 8;
  var CIRCLE_MAX_ZOOM = 6;  // region circles at low zoom only, where markers are clustered anyway

  var form = document.getElementById("map-filters");
  var statusEl = document.getElementById("map-status");
  var listEl = document.getElementById("map-list");
  var moreEl = document.getElementById("map-list-more");
  var tilesNote = document.getElementById("map-tiles-note");
  var regionSelect = document.getElementById("map-region");
  var mapEl = document.getElementById("map");

  // People who asked their system for less motion get a map that jumps instead of gliding.
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map("map", {
    center: config.center,
    zoom: config.zoom,
    minZoom: 4,
    maxZoom: 18,
    zoomAnimation: !still,
    fadeAnimation: !still,
    markerZoomAnimation: !still,
    zoomControl: false,
  });
  // Leaflet's zoom buttons and its credit carry English titles: ours come in the page's language.
  L.control.zoom({ zoomInTitle: T.zoom_in, zoomOutTitle: T.zoom_out }).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  var tiles = L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 18 });
  var tileErrors = 0;
  tiles.on("tileerror", function () {
    tileErrors += 1;
    if (tileErrors === 1) {
      tilesNote.textContent = T.tiles_failed;
      tilesNote.hidden = false;
    }
  });
  // A tile server that answers again (a train out of a tunnel, a proxy that woke up): the note
  // goes, and comes back at the next failure.
  tiles.on("tileload", function () {
    if (tileErrors) {
      tileErrors = 0;
      tilesNote.hidden = true;
    }
  });
  tiles.addTo(map);

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  // Clustering 10,000 markers takes a phone a while: it runs in chunks (the page stays
  // responsive) and one collection at a time, so the first layer shows without waiting for all.
  var drawQueue = [];
  var drawing = null;
  function drawNext() {
    if (drawing) { return; }
    drawing = drawQueue.shift() || null;
    if (!drawing) { return; }
    if (!enabled(drawing) || features[drawing].length === 0) {
      drawn(drawing);
      return;
    }
    map.addLayer(layers[drawing]);
  }
  function drawn(kind) {
    if (drawing !== kind) { return; }
    if (!mapEl.hasAttribute("data-first-markers-ms") && mapEl.querySelector(".map-marker, .marker-cluster")) {
      // Milliseconds from the start of navigation: what the browser benchmark reads.
      mapEl.setAttribute("data-first-markers-ms", String(Math.round(performance.now())));
    }
    drawing = null;
    drawNext();
  }
  function draw(kind) {
    drawQueue.push(kind);
    drawNext();
  }

  function clusterGroup(kind) {
    return L.markerClusterGroup({
      animate: !still,
      chunkedLoading: true,
      chunkInterval: 100,
      // Street level shows single markers anyway; fewer zoom levels to cluster is less work.
      disableClusteringAtZoom: 16,
      chunkProgress: function (processed, total) {
        if (processed === total) { window.setTimeout(function () { drawn(kind); }, 0); }
      },
      showCoverageOnHover: false,
      iconCreateFunction: function (cluster) {
        var n = cluster.getChildCount();
        var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
        return L.divIcon({
          html: "<div><span>" + n + "</span></div>",
          className: "marker-cluster marker-cluster-" + size + " map-cluster-" + kind,
          iconSize: L.point(40, 40)
        });
      }
    });
  }

  var layers = { offices: clusterGroup("offices"), events: clusterGroup("events"), detachments: clusterGroup("detachments") };
  // One popup for all markers, made when a marker is opened: binding a popup to each of
  // 30,000 markers up front costs seconds on a phone.
  var popup = L.popup();
  // Opened from the keyboard (Enter on a marker, a list's "Show on map"), a popup takes the
  // focus, so that its link is the next stop rather than the other markers' hundreds, and
  // Escape gives the focus back to where it came from.
  var popupReturn = null;
  function openPopup(kind, marker, returnTo) {
    popup.setLatLng(marker.getLatLng()).setContent(popupContent(kind, marker.feature.properties)).openOn(map);
    popupReturn = returnTo || null;
    var box = returnTo && popup.getElement();
    var target = box && (box.querySelector(".map-popup-link") || box.querySelector(".leaflet-popup-close-button"));
    if (target) { target.focus(); }
  }
  map.on("popupclose", function (event) {
    var back = event.popup === popup ? popupReturn : null;
    popupReturn = null;
    if (back && document.body.contains(back)) { back.focus(); }
  });
  // Leaflet closes a popup on Escape only while the map itself has the focus, not a marker or
  // the popup's link.
  mapEl.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && popup.isOpen()) {
      event.preventDefault();
      map.closePopup(popup);
    }
  });
  function enterPressed(event) {
    return event.originalEvent && event.originalEvent.key === "Enter";
  }
  Object.keys(layers).forEach(function (kind) {
    layers[kind].on("click keypress", function (event) {
      if (event.type === "keypress") {
        if (enterPressed(event)) { openPopup(kind, event.layer, event.layer.getElement()); }
        return;
      }
      openPopup(kind, event.layer);
    });
    // A cluster opens with Enter as with a click (markercluster zooms on clicks only): it is
    // gone once zoomed, so the map keeps the focus and Tab goes on to the markers it shows.
    layers[kind].on("clusterkeypress", function (event) {
      if (!enterPressed(event)) { return; }
      event.layer.zoomToBounds();
      mapEl.focus();
    });
  });
  var features = { offices: [], events: [], detachments: [] };
  var markers = { offices: {}, events: {}, detachments: {} };
  var regionCircles = L.layerGroup();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // A moment as every page writes it (volunteer_net/dates.py: "22.12.2026 10:00", Almaty time).
  // The API gives it with Almaty's offset, so its own digits are the wall time. The browser's
  // long month names were no match for the pages, and Chromium has none in Kazakh ("М12 1").
  var ALMATY_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;
  var almatyParts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Almaty", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  function when(iso) {
    var m = ALMATY_ISO.exec(iso || "");
    if (m && /[+]05:00$/.test(iso)) { return m[3] + "." + m[2] + "." + m[1] + " " + m[4] + ":" + m[5]; }
    var p = {};
    almatyParts.formatToParts(new Date(iso)).forEach(function (part) { p[part.type] = part.value; });
    return p.day + "." + p.month + "." + p.year + " " + p.hour + ":" + p.minute;
  }

  // One place builds what a popup and a list item say about a feature.
  function describe(kind, p) {
    var lines = [];
    var link = null;
    if (kind === "offices") {
      lines.push(p.address);
      if (p.status) { lines.push(p.status); }
      link = { href: p.url, text: T.office_link };
    } else if (kind === "events") {
      lines.push(p.name + (p.address ? ", " + p.address : ""));
      lines.push(T.starts + ": " + when(p.starts_at));
      lines.push(T.free_places + ": " + p.free_places + " / " + p.capacity);
      link = { href: p.url, text: T.signup };
    } else {
      lines.push(T.school + (p.locality ? ", " + p.locality : ""));
    }
    return { title: kind === "events" ? p.title : p.name, lines: lines, link: link };
  }

  function popupContent(kind, p) {
    var d = describe(kind, p);
    var box = el("div", "map-popup");
    box.appendChild(el("strong", null, d.title));
    d.lines.forEach(function (line) { box.appendChild(el("div", null, line)); });
    if (d.link) {
      var a = el("a", "map-popup-link", d.link.text);
      a.href = d.link.href;
      box.appendChild(a);
    }
    return box;
  }

  var icons = {};
  ["offices", "events", "detachments"].forEach(function (kind) {
    icons[kind] = L.divIcon({ className: "map-marker map-marker-" + kind, iconSize: L.point(18, 18) });
  });

  function makeMarker(kind, feature) {
    var c = feature.geometry.coordinates;  // [lon, lat]
    var p = feature.properties;
    var title = kind === "events" ? p.title : p.name;
    var marker = L.marker([c[1], c[0]], { title: title, alt: title, icon: icons[kind] });
    marker.feature = feature;
    return marker;
  }

  // The data in the page's language, however the page got it (the language cookie, the
  // browser's languages, or ?lang= on the page's own address, which the API reads too).
  var pageLang = document.documentElement.lang;
  var LANGS = ["kk", "ru", "en"];
  function withLang(params) {
    if (LANGS.indexOf(pageLang) !== -1) { params.set("lang", pageLang); }
    return params;
  }

  function query(kind) {
    var params = withLang(new URLSearchParams());
    var data = new FormData(form);
    if (data.get("region")) { params.set("region", data.get("region")); }
    if (kind === "events") {
      ["kind", "from", "to"].forEach(function (name) { if (data.get(name)) { params.set(name, data.get(name)); } });
      if (data.get("free")) { params.set("free", "true"); }
    }
    var q = params.toString();
    return config.api[kind] + (q ? "?" + q : "");
  }

  function enabled(kind) {
    return form.querySelector('input[data-layer="' + kind + '"]').checked;
  }

  function fill(kind, collection) {
    // Off the map while it is refilled: the markers are clustered when draw() adds it back.
    map.removeLayer(layers[kind]);
    features[kind] = collection.features;
    layers[kind].clearLayers();
    markers[kind] = {};
    var list = collection.features.map(function (f) {
      var m = makeMarker(kind, f);
      markers[kind][f.id] = m;
      return m;
    });
    layers[kind].addLayers(list);
    document.querySelector('[data-count-for="' + kind + '"]').textContent = "(" + list.length + ")";
    form.querySelector('input[data-layer="' + kind + '"]').setAttribute("data-count", String(list.length));
  }

  function showOnMap(kind, id, returnTo) {
    var marker = markers[kind][id];
    if (!marker) { return; }
    if (!map.hasLayer(layers[kind])) { map.addLayer(layers[kind]); }
    layers[kind].zoomToShowLayer(marker, function () { openPopup(kind, marker, returnTo); });
  }

  function renderList() {
    listEl.textContent = "";
    var shown = 0;
    var total = 0;
    ["offices", "events", "detachments"].forEach(function (kind) {
      if (!enabled(kind)) { return; }
      total += features[kind].length;
      features[kind].forEach(function (f) {
        if (shown >= LIST_LIMIT) { return; }
        shown += 1;
        var d = describe(kind, f.properties);
        var li = el("li", "map-item map-item-" + kind);
        li.appendChild(el("span", "map-item-kind", T[kind]));
        li.appendChild(el("strong", null, d.title));
        d.lines.forEach(function (line) { li.appendChild(el("div", null, line)); });
        var actions = el("div", "map-item-actions");
        if (d.link) {
          var a = el("a", null, d.link.text);
          a.href = d.link.href;
          actions.appendChild(a);
        }
        var button = el("button", "link-button map-show", T.show_on_map);
        button.type = "button";
        button.addEventListener("click", function () { showOnMap(kind, f.id, button); document.getElementById("map").scrollIntoView({ block: "nearest" }); });
        actions.appendChild(button);
        li.appendChild(actions);
        listEl.appendChild(li);
      });
    });
    moreEl.hidden = shown >= total;
    moreEl.textContent = shown < total ? format(T.more, { shown: shown, total: total }) : "";
    // A load's error stays said until the next load: the list redrawn for the layers that did
    // arrive must not replace it with counts that look like a complete answer.
    statusEl.textContent = loadError || format(T.status, {
      offices: features.offices.length, events: features.events.length, detachments: features.detachments.length
    });
  }

  function applyLayers() {
    ["offices", "events", "detachments"].forEach(function (kind) {
      if (enabled(kind)) { map.addLayer(layers[kind]); } else { map.removeLayer(layers[kind]); }
    });
    renderList();
  }

  // Each collection is drawn as soon as it arrives, so the first markers do not wait for the
  // largest collection; the list is redrawn once per frame at most.
  var listPending = false;
  function scheduleList() {
    if (listPending) { return; }
    listPending = true;
    window.requestAnimationFrame(function () { listPending = false; renderList(); });
  }

  // What the API said about the filters (400: its field messages, in the page's language), or
  // that the data could not load; "" when the last load went well.
  var loadError = "";
  function refusal(response) {
    if (response.status !== 400) { return Promise.resolve(T.load_failed); }
    return response.json().then(function (body) {
      var messages = [];
      Object.keys(body || {}).forEach(function (field) {
        [].concat(body[field]).forEach(function (message) { messages.push(String(message)); });
      });
      return messages.join(" ") || T.load_failed;
    }, function () { return T.load_failed; });
  }

  var loadSeq = 0;
  function load() {
    var seq = ++loadSeq;
    drawQueue = [];
    drawing = null;
    loadError = "";
    var kinds = ["offices", "events", "detachments"];
    var left = kinds.length;
    statusEl.textContent = T.loading;
    document.getElementById("map").removeAttribute("data-loaded");
    kinds.forEach(function (kind) {
      fetch(query(kind), { headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) {
          return refusal(r).then(function (message) { throw { refusal: message }; });
        }
        return r.json();
      }).then(function (collection) {
        if (seq !== loadSeq) { return; }  // a newer filter won
        fill(kind, collection);
        draw(kind);
        scheduleList();
      }).catch(function (error) {
        if (seq !== loadSeq) { return; }
        // The layer's markers of the filters before would pass for this filter's answer: the
        // layer is emptied, and the status says why.
        // (A network failure's own text is the browser's, in its language: not shown.)
        loadError = (error && error.refusal) || T.load_failed;
        fill(kind, { features: [] });
        draw(kind);
        scheduleList();
      }).then(function () {
        if (seq !== loadSeq) { return; }
        left -= 1;
        if (left === 0) {
          renderList();
          document.getElementById("map").setAttribute("data-loaded", "true");
        }
      });
    });
  }

  // Region circles sized by their aggregates, at low zoom.
  function loadRegions() {
    fetch(config.api.regions + "?" + withLang(new URLSearchParams()).toString(), { headers: { Accept: "application/json" } }).then(function (r) {
      return r.ok ? r.json() : { features: [] };
    }).then(function (collection) {
      var max = 1;
      collection.features.forEach(function (f) { max = Math.max(max, f.properties.active_volunteers); });
      collection.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        var p = f.properties;
        var circle = L.circle([c[1], c[0]], {
          radius: 15000 + 60000 * Math.sqrt(p.active_volunteers / max),
          color: "#00728a", weight: 1, fillOpacity: 0.15, interactive: true
        });
        circle.bindPopup(function () {
          var box = el("div", "map-popup");
          box.appendChild(el("strong", null, p.name));
          box.appendChild(el("div", null, T.volunteers + ": " + p.active_volunteers));
          box.appendChild(el("div", null, T.hours + ": " + Math.round(p.hours_this_year)));
          box.appendChild(el("div", null, T.free_shifts + ": " + p.upcoming_free_shifts));
          return box;
        });
        regionCircles.addLayer(circle);
      });
      toggleCircles();
    }).catch(function () { /* the circles are extra; markers work without them */ });
  }

  function toggleCircles() {
    if (map.getZoom() <= CIRCLE_MAX_ZOOM) { map.addLayer(regionCircles); } else { map.removeLayer(regionCircles); }
  }
  map.on("zoomend", toggleCircles);

  // The region selector zooms to the region and filters the markers.
  regionSelect.addEventListener("change", function () {
    var option = regionSelect.selectedOptions[0];
    if (option && option.value) {
      map.setView([parseFloat(option.getAttribute("data-lat")), parseFloat(option.getAttribute("data-lon"))], REGION_ZOOM);
    } else {
      map.setView(config.center, config.zoom);
    }
    load();
  });
  ["map-kind", "map-from", "map-to", "map-free"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", load);
  });
  form.querySelectorAll("input[data-layer]").forEach(function (input) {
    input.addEventListener("change", applyLayers);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });

  // "Near me": the nearest offices and shifts, when the person shares their location.
  function distanceKm(lat1, lon1, lat2, lon2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad;
    var dLon = (lon2 - lon1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 6371 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  function showNearest(lat, lon) {
    var near = document.getElementById("map-near");
    var list = document.getElementById("map-near-list");
    list.textContent = "";
    ["offices", "events"].forEach(function (kind) {
      features[kind].map(function (f) {
        var c = f.geometry.coordinates;
        return { f: f, km: distanceKm(lat, lon, c[1], c[0]) };
      }).sort(function (a, b) { return a.km - b.km; }).slice(0, 5).forEach(function (item) {
        var d = describe(kind, item.f.properties);
        var li = el("li", "map-item");
        li.appendChild(el("span", "map-item-kind", T[kind]));
        var a = el("a", null, d.title);
        a.href = d.link.href;
        li.appendChild(a);
        li.appendChild(el("span", "muted", " — " + format(T.km, { km: item.km.toFixed(1) })));
        list.appendChild(li);
      });
    });
    near.hidden = false;
    map.setView([lat, lon], 11);
    near.querySelector("h2").setAttribute("tabindex", "-1");
    near.querySelector("h2").focus();
  }

  document.getElementById("map-near-me").addEventListener("click", function () {
    if (!navigator.geolocation) { statusEl.textContent = T.near_unsupported; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      showNearest(pos.coords.latitude, pos.coords.longitude);
    }, function () { statusEl.textContent = T.near_none; }, { timeout: 15000, maximumAge: 600000 });
  });

  loadRegions();
  load();
})();
