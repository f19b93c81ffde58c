// "Now" buttons on the session chart: fill a time field with the current minute on the
// clinic's clock (the button's data-time-zone, an IANA name), whatever the browser's zone.
// Loaded with <script src> (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  function nowIn(timeZone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: timeZone, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit"
    }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-now-for]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-now-for"));
    if (field) { field.value = nowIn(button.getAttribute("data-time-zone") || "UTC"); field.focus(); }
  });
})();
