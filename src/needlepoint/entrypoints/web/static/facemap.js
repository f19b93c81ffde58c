// The face map: a zone chosen on the SVG (click, or Enter on a focused zone) loads its form
// with htmx instead of following the link; without this script the link opens the page
// with that zone's form, so nothing depends on it.
//
// The map also shows each zone's state as the forms change: "zone-open" once its form is on
// the page, "zone-has-scars" once a scar count or the keloid area is above 0. The state is in
// each shape's accessible name too ("Cheeks, left (scars entered)"), not in colour alone; the
// server draws the same classes and names when it renders the page.
(function () {
  "use strict";

  var SCARS = " (scars entered)";
  var OPEN = " (open below)";

  function shapes(zone) {
    return document.querySelectorAll('a[data-zone="' + zone + '"]');
  }

  function slotZone(slot) {
    return slot.id.slice("zone-slot-".length);
  }

  function hasScars(slot) {
    var fields = slot.querySelectorAll('input[type="number"], input[name$=".keloid_area_cm2"]');
    for (var i = 0; i < fields.length; i += 1) {
      if (parseFloat(fields[i].value) > 0) {
        return true;
      }
    }
    return false;
  }

  function show(zone, open, scars) {
    shapes(zone).forEach(function (shape) {
      var state = scars ? SCARS : open ? OPEN : "";
      var name = (shape.getAttribute("data-name") || "") + state;
      shape.classList.toggle("zone-open", open);
      shape.classList.toggle("zone-has-scars", scars);
      shape.setAttribute("aria-label", name);
      var title = shape.querySelector("title");
      if (title) {
        title.textContent = name;
      }
    });
  }

  function refresh(slot) {
    if (slot) {
      show(slotZone(slot), slot.querySelector("fieldset") !== null, hasScars(slot));
    }
  }

  function slotOf(node) {
    return node instanceof Element ? node.closest(".zone-slot") : null;
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-zone]") : null;
    if (!link || !window.htmx) {
      return;
    }
    event.preventDefault();
    window.htmx.trigger(link, "zone-open");
  });

  // A zone's form has arrived (htmx swapped it into its slot): mark the zone open.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target instanceof Element && target.classList.contains("zone-slot")) {
      refresh(target);
    }
  });

  function changed(event) {
    refresh(slotOf(event.target));
  }

  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
})();
