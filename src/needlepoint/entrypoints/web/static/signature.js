// The signature pad of the consent forms (ADR 0029): the patient draws on a canvas with a
// finger, a stylus or a mouse (pointer events), and the drawing goes into the form's hidden
// "signature" field as a PNG data URL. Loaded with <script src> (the Content-Security-Policy
// allows no inline script). Without this script the pad stays hidden and the patient signs
// with their typed name alone, which the form always asks for.
(function () {
  "use strict";

  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var field = pad.querySelector("input[type=hidden][name=signature]");
    var clear = pad.querySelector("[data-signature-clear]");
    var state = pad.querySelector("[data-signature-state]");
    if (!canvas || !field) { return; }
    var ink = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    var last = null;

    canvas.hidden = false;
    if (clear) { clear.hidden = false; }
    ink.lineWidth = 3;
    ink.lineCap = "round";
    ink.lineJoin = "round";
    ink.strokeStyle = "#14143c";

    function at(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }

    function say(text) {
      if (state) { state.textContent = text; }
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = at(event);
      ink.beginPath();
      ink.arc(last.x, last.y, ink.lineWidth / 2, 0, Math.PI * 2);
      ink.fillStyle = ink.strokeStyle;
      ink.fill();
      drawn = true;
    });

    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var point = at(event);
      ink.beginPath();
      ink.moveTo(last.x, last.y);
      ink.lineTo(point.x, point.y);
      ink.stroke();
      last = point;
    });

    function finish(event) {
      if (!drawing) { return; }
      drawing = false;
      if (canvas.hasPointerCapture(event.pointerId)) { canvas.releasePointerCapture(event.pointerId); }
      if (drawn) {
        field.value = canvas.toDataURL("image/png");
        say("Your drawn signature will be kept with your typed name.");
      }
    }

    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);

    if (clear) {
      clear.addEventListener("click", function () {
        ink.clearRect(0, 0, canvas.width, canvas.height);
        field.value = "";
        drawn = false;
        say("The drawing is cleared. Your typed name still signs the form.");
      });
    }
  }

  function start() {
    var pads = document.querySelectorAll("[data-signature-pad]");
    for (var i = 0; i < pads.length; i += 1) { setUp(pads[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
