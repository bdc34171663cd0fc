// The venue screen keeps itself up to date and says when it has lost the network.
// Without this file the screen still refreshes every 30 seconds and on every publish.
(function () {
  "use strict";

  function status(on) {
    var marker = document.getElementById("screen-status");
    if (!marker) return;
    marker.textContent = on ? marker.getAttribute("data-text") : "";
    marker.classList.toggle("screen__status--on", on);
  }

  function catchUp() {
    var body = document.getElementById("now-next");
    if (body && window.htmx) window.htmx.trigger(body, "venue:catch-up");
  }

  // Each (re)opened stream may have missed a publish while it was down (a new EventSource
  // after a long drop sends no Last-Event-ID): fetch the screen again to catch up.
  document.addEventListener("htmx:sseOpen", catchUp);
  document.addEventListener("htmx:sseError", function () { status(true); });

  // A fetch that fails leaves the last programme up, with the marker; one that works clears it.
  document.addEventListener("htmx:sendError", function () { status(true); });
  document.addEventListener("htmx:responseError", function () { status(true); });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful) status(false);
  });
  window.addEventListener("offline", function () { status(true); });
  window.addEventListener("online", catchUp);
})();
