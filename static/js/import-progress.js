// The import's progress bar: asks the status endpoint every second and reloads the page once
// the file is checked or imported, or once its work is found lost (the page then offers a way out). Without JavaScript the page's "Refresh" link does the same.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("import-progress-bar");
  var done = box.querySelector("[data-progress-done]");
  var total = box.querySelector("[data-progress-total]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (!data.busy || data.stalled) { window.location.reload(); return; }
        bar.max = Math.max(data.total, 1);
        bar.value = data.done;
        bar.textContent = String(data.done);
        done.textContent = String(data.done);
        total.textContent = String(data.total);
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
