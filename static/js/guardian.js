/* The guardian's fields matter for minors only: they stay hidden until the birth date makes
   the person under 18. Only what is shown changes; the server's rules are the same with or
   without this script, and without it every field simply shows. */
(function () {
  "use strict";
  var ADULT_AGE = 18;

  function ageOn(value, today) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!match) {
      return null;
    }
    var year = Number(match[1]);
    var month = Number(match[2]);
    var day = Number(match[3]);
    var age = today.getFullYear() - year;
    var beforeBirthday =
      today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day);
    return beforeBirthday ? age - 1 : age;
  }

  document.querySelectorAll("[data-guardian-fields]").forEach(function (fieldset) {
    var form = fieldset.closest("form");
    var birthDate = form && form.querySelector("[data-birth-date]");
    if (!birthDate) {
      return;
    }
    // A fieldset the server marked with errors stays visible whatever the date says.
    var hasErrors = fieldset.querySelector(".field-error") !== null;

    function update() {
      var age = ageOn(birthDate.value, new Date());
      fieldset.hidden = !hasErrors && (age === null || age >= ADULT_AGE);
    }

    birthDate.addEventListener("input", update);
    birthDate.addEventListener("change", update);
    update();
  });
})();
