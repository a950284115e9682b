// The pipeline board: drag a deal's card to another stage (SortableJS). The drop posts the
// card's own select + Move form (same endpoint, same CSRF token) with the new stage, and the
// answer is the board again: totals and weighted totals come back with it. A refused move
// (a closing stage without a reason, a closed deal) comes back as the board with the card
// where it was and the reason above the columns. The select + Move stays for the keyboard.
(function () {
  "use strict";

  function setUp(board) {
    if (typeof Sortable === "undefined") { return; }
    board.querySelectorAll("[data-cards]").forEach(function (list) {
      if (list.getAttribute("data-sortable") === "1") { return; }
      list.setAttribute("data-sortable", "1");
      Sortable.create(list, {
        group: { name: "deals", pull: list.getAttribute("data-closed") !== "1", put: true },
        draggable: "[data-movable]",
        filter: "select, button, input, label",
        preventOnFilter: false,
        sort: false,
        animation: 150,
        onAdd: function (event) { drop(board, event); }
      });
    });
  }

  function putBack(event) {
    var before = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(event.item, before);
  }

  function say(board, text) {
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    board.prepend(alert);
  }

  function drop(board, event) {
    var form = event.item.querySelector("form.stage-move");
    if (!form) { putBack(event); return; }
    var data = new FormData(form);
    data.set("stage", event.to.getAttribute("data-stage"));
    if (event.to.getAttribute("data-closed") === "1") {
      var reason = window.prompt(board.getAttribute("data-reason-prompt") || "");
      if (reason === null) { putBack(event); return; }
      data.set("reason", reason);
    }
    board.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true" }
    }).then(function (response) {
      if (!response.ok && response.status !== 422) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      board.innerHTML = html;
      if (window.htmx) { window.htmx.process(board); }
      setUp(board);
    }).catch(function () {
      putBack(event);
      say(board, board.getAttribute("data-failed-text") || "The move was not saved.");
    }).finally(function () {
      board.removeAttribute("aria-busy");
    });
  }

  function start() {
    var board = document.getElementById("board");
    if (board) { setUp(board); }
  }

  // After a move with the select + Move button htmx swaps the columns: set them up again.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "board") { setUp(event.target); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
