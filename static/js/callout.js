// The call-out page refreshes its counts and answers every 10 seconds from a small JSON
// endpoint; without JavaScript the page's own "Refresh" link does the same.
(function () {
  "use strict";
  var live = document.getElementById("callout-live");
  if (!live || !window.fetch) return;
  var url = live.getAttribute("data-status-url");
  function update(data) {
    Object.keys(data.counts).forEach(function (key) {
      var el = live.querySelector('[data-count="' + key + '"]');
      if (el) el.textContent = String(data.counts[key]);
    });
    data.answers.forEach(function (a) {
      var cell = live.querySelector('[data-answer="' + a.id + '"]');
      if (cell) cell.textContent = a.label;
    });
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) update(data); })
      .catch(function () {});
  }
  window.setInterval(poll, 10000);
})();
