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

/* A create form (one with the hidden one-time key, volunteer_net/submit_once.py) is sent once:
   after the first press its submit buttons are disabled and a second press does nothing, so a
   slow phone connection does not invite pressing again. The server saves it once anyway; this
   only spares the wait and the "already saved" page. The buttons are disabled just after the
   submit event, not in it: a disabled button's name and value (the announcement's "Send") would
   otherwise not be sent. A page brought back by the back button from the browser's cache comes
   with its buttons as they were left, so they are usable again on pageshow. */
(function () {
  "use strict";
  var KEY = "input[name='form_once']";

  function buttons(form) {
    return form.querySelectorAll("button[type='submit'], button:not([type]), input[type='submit']");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.querySelector(KEY)) {
      return;
    }
    if (form.dataset.sent === "yes") {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return; // another script stopped this one: the form was not sent
    }
    form.dataset.sent = "yes";
    window.setTimeout(function () {
      buttons(form).forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent='yes']").forEach(function (form) {
      delete form.dataset.sent;
      buttons(form).forEach(function (button) {
        button.disabled = false;
      });
    });
  });
})();
