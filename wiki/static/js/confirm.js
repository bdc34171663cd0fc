// Ask first, in a dialog: a link marked data-confirm="<dialog id>" leads to a page that asks
// (which is what happens without JavaScript); with it, the same question opens in that
// <dialog> on this page instead. Focus moves into the dialog, Escape or "Cancel" closes it,
// and focus goes back to the link that opened it.
(function () {
  "use strict";

  function trigger(target) {
    return target && target.closest ? target.closest("a[data-confirm]") : null;
  }

  function open(link) {
    var dialog = document.getElementById(link.getAttribute("data-confirm"));
    if (!dialog || typeof dialog.showModal !== "function") return false;
    dialog.confirmOpener = link;
    dialog.showModal();
    var first = dialog.querySelector("[data-confirm-focus]");
    if (first) first.focus();
    return true;
  }

  // Capture, so the dialog opens before htmx (hx-boost) follows the link.
  document.addEventListener("click", function (event) {
    var link = trigger(event.target);
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (open(link)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // With script the link acts as a button, so Space opens it too.
  document.addEventListener("keydown", function (event) {
    var link = trigger(event.target);
    if (link && (event.key === " " || event.key === "Spacebar") && open(link)) event.preventDefault();
  }, true);

  document.addEventListener("click", function (event) {
    var close = event.target.closest ? event.target.closest("[data-confirm-close]") : null;
    var dialog = close && close.closest("dialog");
    if (dialog) dialog.close();
  });

  // "close" does not bubble: listen while it passes down (Escape, "Cancel" and close() all end here).
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    var link = dialog.confirmOpener;
    dialog.confirmOpener = null;
    if (link && link.isConnected) link.focus();
  }, true);

  function upgrade(root) {
    var links = (root || document).querySelectorAll ? (root || document).querySelectorAll("a[data-confirm]") : [];
    Array.prototype.forEach.call(links, function (link) { link.setAttribute("role", "button"); });
  }
  document.addEventListener("DOMContentLoaded", function () { upgrade(document); });
  document.addEventListener("htmx:load", function (event) { upgrade(event.target); });
})();
