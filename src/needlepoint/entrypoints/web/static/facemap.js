// The face map: a zone chosen on the SVG (click, or Enter on a focused zone) loads its form
// with htmx instead of following the link; without this script the link opens the page
// with that zone's form, so nothing depends on it.
document.addEventListener("click", function (event) {
  var link = event.target instanceof Element ? event.target.closest("a[data-zone]") : null;
  if (!link || !window.htmx) {
    return;
  }
  event.preventDefault();
  window.htmx.trigger(link, "zone-open");
});
