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

// Print buttons (no inline handlers under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
