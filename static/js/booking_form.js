// The booking form (T18): the repeat controls appear only when "repeats" is chosen, and each cadence shows only
// its own fields. Elements say when they show: data-show-when="repeat:weekly monthly_nth" (field:values).
(function () {
  "use strict";
  function sync(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      const [name, values] = el.getAttribute("data-show-when").split(":");
      const control = form.querySelector("[name='" + name + "']");
      const value = control ? control.value : "";
      const wanted = values.split(" ");
      el.hidden = wanted[0] === "!" ? wanted.slice(1).includes(value) : !wanted.includes(value);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("booking-form");
    if (!form) {
      return;
    }
    sync(form);
    form.addEventListener("change", function () { sync(form); });
  });
})();
