/* A form page that comes back with errors: the summary at its top takes the focus, so that a
   screen reader reads it and a keyboard user starts there; its links move the focus to the
   field itself (a plain in-page link would only scroll to it). Without this script the summary
   and its links still work as ordinary page content. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    // The field's whole block (label, input, message) comes into view, then its input has the focus.
    (target.closest(".field") || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
})();
