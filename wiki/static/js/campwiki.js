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

  // A task box in a page's text submits the tick form from outside it (form="task-form"),
  // inside hx-disable, where htmx cannot see which button was pressed: send its value.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail || {};
    var button = detail.triggeringEvent && detail.triggeringEvent.submitter;
    if (!button || !button.name || button.form !== detail.elt) return;
    if (detail.parameters[button.name] === undefined) {
      detail.parameters[button.name] = button.value;
    }
  });

  // A live part of a page (the programme, an agenda) keeps its element and has only its
  // content replaced, so the version it shows is in that content (data-shown), not in an
  // attribute of its own: send it with each live re-fetch, so the answer can say "Programme
  // updated to v3" when, and only when, that is news.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.matches || !elt.matches("[hx-trigger*='sse:']")) return;
    var shown = elt.querySelector("[data-shown]");
    if (shown) event.detail.headers["X-Programme-Shown"] = shown.getAttribute("data-shown");
  });

  // A swap replaces the dot control that was just pressed; htmx focuses the new button with
  // the same id. When that button is now disabled (no dots left, or the session's maximum),
  // keep focus in the same control instead of losing it to the page: on its other button, or
  // on the control itself.
  var pressed = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    var active = document.activeElement;
    if (form && form.closest && form.closest(".vote") && active && active.id && form.contains(active)) {
      pressed = { form: form, id: active.id };
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var config = event.detail.requestConfig;
    if (!pressed || !config || config.elt !== pressed.form) return;
    var id = pressed.id;
    pressed = null;
    if (document.activeElement && document.activeElement.id === id) return;
    var control = document.getElementById(id.replace(/^dot-(add|remove)-/, "vote-"));
    if (!control) return;
    var other = control.querySelector("button:not([disabled])");
    (other || control).focus({ preventScroll: true });
  });
})();
