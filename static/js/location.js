/* "Use my location" beside a profile's area point: asks the browser for the position (only
   when the person presses the button) and fills both fields; the server rounds the point to
   about a kilometre. Without the script, or without permission, the fields are typed by hand. */
(function () {
  "use strict";
  document.querySelectorAll("[data-area-longitude]").forEach(function (longitude) {
    var form = longitude.closest("form");
    var latitude = form && form.querySelector("[data-area-latitude]");
    if (!latitude || !("geolocation" in navigator)) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary";
    button.textContent = longitude.getAttribute("data-locate-label");
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "muted";
    var holder = longitude.parentNode;
    holder.appendChild(button);
    holder.appendChild(status);
    button.addEventListener("click", function () {
      status.textContent = "";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          latitude.value = position.coords.latitude.toFixed(2);
          longitude.value = position.coords.longitude.toFixed(2);
        },
        function () {
          status.textContent = longitude.getAttribute("data-locate-failed");
        },
        { timeout: 10000, maximumAge: 600000 }
      );
    });
  });
})();
