// Small enhancements on top of htmx; every page works without this file.
(function () {
  "use strict";

  // After htmx swaps in a new page, move focus the way a full page load would, so screen
  // reader and keyboard users know where they are: to an error summary if there is one,
  // otherwise to the main landmark.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    if (!detail.boosted) return;
    var target = document.querySelector("[data-autofocus]") || document.getElementById("main");
    if (target) target.focus({ preventScroll: false });
  });
})();
