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
function followQuestionKind(select) {
  if (!select.form) { return; }
  select.form.querySelectorAll("[data-choices-for]").forEach(function (box) {
    box.hidden = box.getAttribute("data-choices-for").split(" ").indexOf(select.value) < 0;
  });
}
document.addEventListener("change", function (event) {
  var select = event.target.closest("[data-question-kind]");
  if (select) { followQuestionKind(select); }
});

// Exercise builder: a field picker lists only the fields of the kind of record chosen in
// the selects its data-fields-for names (a setup record's option says its kind in
// data-entity); a date field shows "3 years before the sandbox's today".
function followEntity(picker) {
  var entity = "";
  picker.getAttribute("data-fields-for").split(" ").some(function (id) {
    var select = document.getElementById(id);
    if (!select || !select.value) { return false; }
    var chosen = select.options[select.selectedIndex];
    entity = (chosen && chosen.getAttribute("data-entity")) || select.value;
    return true;
  });
  refillFields(picker, entity);
}
// A picker holds only one kind's fields: refill it from the page's list of every field
// (the template its data-fields-refill names), keeping the choice when the kind has it.
function refillFields(picker, entity) {
  var source = document.getElementById(picker.getAttribute("data-fields-refill"));
  if (!source) { return; }
  var current = picker.value;
  var kept = Array.prototype.filter.call(picker.options, function (option) {
    return option.value === "" || option.hasAttribute("data-kept");
  });
  picker.replaceChildren.apply(picker, kept);
  source.content.querySelectorAll("option").forEach(function (option) {
    var owners = option.getAttribute("data-entities").split(" ");
    if (entity === "" || owners.indexOf(entity) >= 0) { picker.appendChild(option.cloneNode(true)); }
  });
  picker.value = current;
  if (picker.value !== current) { picker.value = ""; }
  if (picker.hasAttribute("data-date-toggle")) { showDateControl(picker); }
}
function showDateControl(picker) {
  var row = picker.closest("[data-setup-row]");
  var control = row && row.querySelector("[data-relative]");
  var chosen = picker.options[picker.selectedIndex];
  if (control) { control.hidden = !(chosen && chosen.hasAttribute("data-date")); }
  // A field whose values are codes suggests them by name (a datalist per kind and field).
  var input = row && row.querySelector("[data-codes-in]");
  var kind = document.getElementById(picker.getAttribute("data-fields-for"));
  if (input && kind) {
    var list = input.getAttribute("data-codes-in") + kind.value + "-" + picker.value;
    if (document.getElementById(list)) { input.setAttribute("list", list); }
    else { input.removeAttribute("list"); }
  }
}
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.hasAttribute("data-date-toggle")) { showDateControl(target); }
  if (!target.id) { return; }
  document.querySelectorAll("[data-fields-for]").forEach(function (picker) {
    if (picker.getAttribute("data-fields-for").split(" ").indexOf(target.id) >= 0) {
      followEntity(picker);
    }
  });
});
// A choice changed before this script ran (a slow connection, a quick hand) is followed
// too. Only a changed one: what the server rendered for its own choice stays as it is (a
// refused row keeps showing the date it was given beside a field that takes none).
function changedSinceLoad(select) {
  var first = Array.prototype.findIndex.call(select.options, function (option) {
    return option.defaultSelected;
  });
  return select.selectedIndex !== Math.max(first, 0);
}
document.querySelectorAll("[data-question-kind]").forEach(function (select) {
  if (changedSinceLoad(select)) { followQuestionKind(select); }
});
document.querySelectorAll("[data-fields-for]").forEach(function (picker) {
  var kinds = picker.getAttribute("data-fields-for").split(" ").map(function (id) {
    return document.getElementById(id);
  });
  if (kinds.some(function (kind) { return kind && changedSinceLoad(kind); })) {
    followEntity(picker);
  } else if (changedSinceLoad(picker) && picker.hasAttribute("data-date-toggle")) {
    showDateControl(picker);
  }
});
// "Add a row" copies the form's row template with the next free number.
document.querySelectorAll("[data-add-row]").forEach(function (button) { button.hidden = false; });
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-add-row]");
  if (!button || !button.form) { return; }
  var rows = button.form.querySelector("[data-rows]");
  var template = button.form.querySelector("template[data-row-template]");
  var index = rows.querySelectorAll("[data-setup-row]").length;
  if (!template || index >= 30) { return; }
  rows.insertAdjacentHTML("beforeend", template.innerHTML.split("__row__").join(String(index))
    .split("__number__").join(String(index + 1)));
  var picker = rows.lastElementChild.querySelector("[data-fields-for]");
  if (picker) { followEntity(picker); picker.focus(); }
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

// Folding sections marked data-remember-open (the exercise panel's task) stay as the
// learner left them from one page to the next.
document.querySelectorAll("details[data-remember-open]").forEach(function (details) {
  var key = "open:" + details.getAttribute("data-remember-open");
  try {
    details.open = window.localStorage.getItem(key) === "yes";
    details.addEventListener("toggle", function () {
      window.localStorage.setItem(key, details.open ? "yes" : "no");
    });
  } catch (error) { /* storage refused: the section simply starts folded */ }
});
