// The announcement form counts, while staff type, the paid parts an SMS of the subject and text
// takes (notifications/sms.py counts the same way; the audience check gives the server's count).
(function () {
  "use strict";
  var out = document.getElementById("broadcast-sms-live");
  var form = document.getElementById("broadcast-form");
  if (!out || !form) return;
  var subject = form.querySelector("[name=subject]");
  var body = form.querySelector("[name=body]");
  if (!subject || !body) return;
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "^{}\\[~]|€\f";
  var TWINS = { "“": "\"", "”": "\"", "„": "\"", "‟": "\"", "«": "\"", "»": "\"", "″": "\"",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "ʼ": "'", "`": "'",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
    "…": "...", "№": "No.", "•": "*" };
  function gsm(text) {
    for (var i = 0; i < text.length; i++) {
      if (BASIC.indexOf(text[i]) < 0 && EXTENSION.indexOf(text[i]) < 0) return false;
    }
    return true;
  }
  function parts(text) {
    text = text.split(/\s+/).filter(Boolean).join(" ");
    if (!gsm(text)) {
      var plain = text.replace(/[“”„‟«»″‘’‚‛′ʼ`‐‑‒–—―−\u00a0\u2007\u2009\u202f\t…№•]/g, function (ch) { return TWINS[ch]; });
      if (gsm(plain)) text = plain;
    }
    var units, single, each;
    if (gsm(text)) {
      units = 0;
      for (var i = 0; i < text.length; i++) units += EXTENSION.indexOf(text[i]) < 0 ? 1 : 2;
      single = 160; each = 153;
    } else {
      units = text.length; // UTF-16 code units, as the gateway counts them
      single = 70; each = 67;
    }
    return units <= single ? 1 : Math.ceil(units / each);
  }
  function update() {
    if (!body.value.trim()) { out.hidden = true; return; }
    // With the words and the recipient's link that end every announcement's SMS.
    var count = parts(subject.value.trim() + ": " + body.value.trim() + (out.getAttribute("data-tail") || ""));
    out.textContent = out.getAttribute("data-label")
      .replace("%(parts)s", String(count))
      .replace("%(max)s", out.getAttribute("data-max"));
    out.setAttribute("data-parts", String(count));
    out.hidden = false;
  }
  subject.addEventListener("input", update);
  body.addEventListener("input", update);
  update();
})();
