/* "Copy the link" and "Send the link" beside a personal link (templates/includes/copy_link.html):
   a phone's share sheet where the browser has one (the messengers people use), else the
   clipboard. Without the script the link stays selectable in its box. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-link]").forEach(function (box) {
    var field = box.querySelector(".copy-field");
    var copy = box.querySelector("[data-copy]");
    var share = box.querySelector("[data-share]");
    var status = box.querySelector("[data-copied]");
    if (navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          status.textContent = status.getAttribute("data-copied");
        }, function () {
          field.select();
        });
      });
    }
    if (navigator.share) {
      share.hidden = false;
      share.addEventListener("click", function () {
        navigator.share({ title: share.getAttribute("data-share-title"), url: field.value }).catch(function () {});
      });
    }
  });
})();
