// The export job page: asks for the job's state every second and moves the progress bar; when
// the file is ready it shows the download link. Without script the page has a refresh link.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-progress");
  var percent = document.getElementById("export-percent");
  var status = document.getElementById("export-status");
  var download = document.getElementById("export-download");
  var link = document.getElementById("export-download-link");
  var failed = document.getElementById("export-failed");
  var failure = document.getElementById("export-failure");
  var again = document.getElementById("export-again");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
        percent.textContent = data.percent + " %";
        if (status.textContent !== data.status_label) { status.textContent = data.status_label; }
        if (data.failure) {
          // Failed (a stopped worker, a full disk): say why and offer to run it again.
          failure.textContent = data.failure;
          again.href = data.again_url;
          failed.hidden = false;
          return;
        }
        if (data.download_url) {
          link.href = data.download_url;
          download.hidden = false;
          return;
        }
        if (data.status === "queued" || data.status === "running") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
