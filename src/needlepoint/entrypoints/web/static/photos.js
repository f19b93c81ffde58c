// Clinical photo pages (ADR 0028). Loaded with <script src> (the Content-Security-Policy allows
// no inline script, and no inline style: nothing here sets a style, only classes, attributes
// and form values).
//
// * One photo: a click on the photo fills the landmark inputs (first, then second) or adds the
//   corners of a region, in the photo's own pixels; typing in those inputs moves the marks.
//   The inputs are the keyboard's way to do the same, and work without this script.
// * Before and after: a slider moves the divide between the earlier and the aligned later
//   photo (in steps of 5 %, each a class in photos.css), and a toggle shows the later alone.
// * Upload: a photo over the size limit is named before it is sent.
(function () {
  "use strict";

  function round(value) { return Math.round(value * 10) / 10; }

  function photoPoint(svg, event, width, height) {
    var box = svg.getBoundingClientRect();
    var x = (event.clientX - box.left) / box.width * width;
    var y = (event.clientY - box.top) / box.height * height;
    return [round(Math.min(Math.max(x, 0), width)), round(Math.min(Math.max(y, 0), height))];
  }

  function setUpPhoto(tools) {
    var width = Number(tools.getAttribute("data-width-px"));
    var height = Number(tools.getAttribute("data-height-px"));
    var svg = tools.querySelector("[data-photo-marks]");
    var modes = tools.querySelector("[data-photo-mode]");
    var draft = svg.querySelector("[data-region-draft]");
    var points = document.querySelector("[data-region-points]");
    var clear = document.querySelector("[data-region-clear]");
    var next = "first";
    var corners = [];
    modes.hidden = false;
    if (clear) { clear.hidden = false; }

    function mode() {
      var chosen = modes.querySelector("input:checked");
      return chosen ? chosen.value : "landmarks";
    }

    function input(name) { return document.querySelector('[data-mark="' + name + '"]'); }

    function drawLandmark(name) {
      var circle = svg.querySelector('[data-landmark="' + name + '"]');
      var x = input(name + ".x_px").value, y = input(name + ".y_px").value;
      circle.setAttribute("cx", x === "" ? -1000 : x);
      circle.setAttribute("cy", y === "" ? -1000 : y);
    }

    function readCorners() {
      corners = points.value.trim().split(/\s+/).filter(Boolean).map(function (pair) {
        return pair.split(",").map(Number);
      }).filter(function (pair) { return pair.length === 2 && !isNaN(pair[0]) && !isNaN(pair[1]); });
    }

    function drawRegion() {
      draft.setAttribute("points", corners.map(function (c) { return c.join(","); }).join(" "));
    }

    function writeCorners() {
      points.value = corners.map(function (c) { return c.join(","); }).join(" ");
      drawRegion();
    }

    svg.addEventListener("click", function (event) {
      var at = photoPoint(svg, event, width, height);
      var chosen = mode();
      if (chosen === "landmarks") {
        input(next + ".x_px").value = at[0];
        input(next + ".y_px").value = at[1];
        drawLandmark(next);
        next = next === "first" ? "second" : "first";
      } else if (chosen === "rectangle") {
        corners = corners.length === 1 ? corners : [];
        if (corners.length === 0) { corners = [at]; drawRegion(); return; }
        var a = corners[0];
        corners = [a, [at[0], a[1]], at, [a[0], at[1]]];
        writeCorners();
        corners = [];
      } else {
        readCorners();
        corners.push(at);
        writeCorners();
      }
    });

    ["first", "second"].forEach(function (name) {
      ["x_px", "y_px"].forEach(function (axis) {
        input(name + "." + axis).addEventListener("input", function () { drawLandmark(name); });
      });
    });
    points.addEventListener("input", function () { readCorners(); drawRegion(); });
    if (clear) {
      clear.addEventListener("click", function () { corners = []; writeCorners(); points.focus(); });
    }
    readCorners();
    drawRegion();
  }

  function setUpComparison(controls) {
    var stack = document.querySelector("[data-compare-stack]");
    var slider = controls.querySelector("[data-compare-slider]");
    var toggle = controls.querySelector("[data-compare-toggle]");
    var position = "reveal-" + slider.value;
    controls.hidden = false;

    function show(value) {
      stack.classList.remove(position);
      position = "reveal-" + (Math.round(Number(value) / 5) * 5);
      stack.classList.add(position);
    }

    slider.addEventListener("input", function () { show(slider.value); });
    toggle.addEventListener("click", function () {
      var only = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", only ? "true" : "false");
      toggle.textContent = only ? "Show both photos" : "Show the later photo only";
      stack.classList.toggle("later-only", only);
    });
  }

  function setUpUpload(form) {
    var limit = Number(form.getAttribute("data-max-bytes"));
    var file = form.querySelector('input[type="file"]');
    var problem = form.querySelector("[data-photo-size-problem]");
    function check() {
      var big = file.files.length > 0 && file.files[0].size > limit;
      problem.hidden = !big;
      file.setAttribute("aria-invalid", big ? "true" : "false");
      return big;
    }
    file.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      if (check()) { event.preventDefault(); file.focus(); }
    });
  }

  var tools = document.querySelector("[data-photo-tools]");
  if (tools) { setUpPhoto(tools); }
  var controls = document.querySelector("[data-compare-controls]");
  if (controls) { setUpComparison(controls); }
  var upload = document.querySelector("[data-photo-upload]");
  if (upload) { setUpUpload(upload); }
})();
