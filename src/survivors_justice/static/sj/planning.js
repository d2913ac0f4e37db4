// The court calendar's "Build a plan" form: while the planner works (the page waits for it),
// say so in a status region screen readers announce, and keep the button from sending twice.
(function () {
  "use strict";
  document.querySelectorAll("form[data-planning-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var status = document.getElementById(form.getAttribute("data-planning-status"));
      var limit = form.querySelector("input[name=time_limit]");
      var button = form.querySelector("button[type=submit]");
      if (status) {
        var seconds = limit && limit.value ? limit.value : "";
        status.querySelector("[data-planning-seconds]").textContent = seconds;
        status.hidden = false;
      }
      if (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      }
      form.setAttribute("aria-busy", "true");
    });
  });
})();
