// "Now" buttons on the session chart: fill a time field with the current UTC minute.
// Loaded with <script src> (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function nowUtc() {
    var d = new Date();
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      "T" + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-now-for]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-now-for"));
    if (field) { field.value = nowUtc(); field.focus(); }
  });
})();
