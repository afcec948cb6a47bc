// "Nearest to me": the browser's location fills the form's lat/lon and sends it. Without
// geolocation (or when refused) the button stays hidden or does nothing; the region filter works.
(function () {
  var button = document.querySelector("[data-near-me]");
  if (!button || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      var form = button.form;
      form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(5);
      form.querySelector("[name=lon]").value = position.coords.longitude.toFixed(5);
      form.submit();
    });
  });
})();
