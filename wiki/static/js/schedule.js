// The draft grid editor: drag cards between cells and the tray (SortableJS), keep focus on
// the card that moved, and re-fetch the grid when another facilitator changes it. Without
// this file every card still has a Move link and every button is a plain form.
(function () {
  "use strict";

  function editor() {
    return document.getElementById("editor");
  }

  function token() {
    var headers = document.body.getAttribute("hx-headers");
    try {
      return JSON.parse(headers || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function post(card, list) {
    var root = editor();
    if (!root) return;
    htmx.ajax("POST", root.getAttribute("data-move-url"), {
      source: root,
      target: "#editor",
      swap: "outerHTML",
      headers: { "X-CSRFToken": token() },
      values: {
        pitch: card.getAttribute("data-pitch"),
        room: list.getAttribute("data-room"),
        slot: list.getAttribute("data-slot"),
        revision: root.getAttribute("data-revision")
      }
    });
  }

  function wire(root) {
    if (!root || typeof Sortable === "undefined") return;
    root.querySelectorAll(".grid__drop").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: "grid",
        draggable: ".gcard:not(.gcard--locked)",
        filter: "a, button",
        preventOnFilter: false,
        sort: false,
        // Pointer events rather than the browser's drag and drop: the same on phones, and
        // the ghost is styled through the style property, which the CSP allows.
        forceFallback: true,
        fallbackOnBody: true,
        delayOnTouchOnly: true,
        delay: 150,
        ghostClass: "gcard--ghost",
        chosenClass: "gcard--chosen",
        onEnd: function (event) {
          if (event.from === event.to) return;
          post(event.item, event.to);
        }
      });
    });
    var focus = root.getAttribute("data-focus");
    if (focus) {
      var card = document.getElementById("card-" + focus);
      var target = card && (card.querySelector(".gcard__move, button") || card);
      if (target) {
        if (target === card) card.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: false });
      }
    }
  }

  // Edits of this page that are on their way: their answer brings the grid as it is then.
  var editing = 0;
  function isEdit(event) {
    var detail = event.detail || {};
    var elt = detail.elt;
    return detail.target && detail.target.id === "editor" && !(elt && elt.id === "editor-refresh");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isEdit(event)) editing += 1;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (isEdit(event)) editing = Math.max(0, editing - 1);
  });

  // A live "grid-changed" while one of our edits is on its way, or for the revision this
  // page already shows (our own edit), needs no fetch: skip it, so focus stays where the
  // edit put it.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (!elt || elt.id !== "editor-refresh") return;
    if (editing > 0) {
      event.preventDefault();
      return;
    }
    var trigger = event.detail.triggeringEvent;
    var message = trigger && trigger.detail;
    var root = editor();
    if (!message || !message.data || !root) return;
    try {
      var data = JSON.parse(message.data);
      if (String(data.revision) === root.getAttribute("data-revision")) event.preventDefault();
    } catch (e) {
      /* not ours to read: fetch */
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = editor();
    if (root && (event.detail.elt === root || event.detail.elt.contains(root) || event.target === root)) {
      wire(root);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    wire(editor());
  });
  if (document.readyState !== "loading") wire(editor());
})();
