// CRM Academy's own behaviour. No inline scripts: the CSP allows only files from this site.
(function () {
  "use strict";

  // Buttons and forms marked data-confirm ask before they act.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // htmx: requests that fail on the server show a message instead of doing nothing.
  document.body.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("flashes");
    if (!box) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = document.body.getAttribute("data-error-text") || "The request failed.";
    box.replaceChildren(alert);
  });
})();

// Quiz questions: the choices shown follow the question type (True or false has its own two).
document.addEventListener("change", function (event) {
  var select = event.target.closest("[data-question-kind]");
  if (!select || !select.form) { return; }
  select.form.querySelectorAll("[data-choices-for]").forEach(function (box) {
    box.hidden = box.getAttribute("data-choices-for").split(" ").indexOf(select.value) < 0;
  });
});

// Print buttons (no inline handlers under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});

// Select buttons for a list of check boxes: data-select="behind" ticks the boxes whose
// row is marked data-behind, data-select="none" clears them all. The buttons start
// hidden, so without JavaScript the boxes are simply ticked by hand.
document.querySelectorAll("[data-select]").forEach(function (button) {
  button.hidden = false;
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-select]");
  if (!button) { return; }
  var form = document.getElementById(button.getAttribute("data-select-in"));
  if (!form) { return; }
  var behind = button.getAttribute("data-select") === "behind";
  form.querySelectorAll("input[type=checkbox]:not(:disabled)").forEach(function (box) {
    box.checked = behind && box.closest("[data-behind]") !== null;
  });
});
