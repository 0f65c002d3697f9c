// Asks in a <dialog> before a destructive action. Forms carry data-confirm="question" and,
// optionally, data-confirm-label="Delete". Without JavaScript (or without <dialog>) the server asks
// on a page of its own (academy/core/confirm.py), so this only saves a round trip.
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function") return;

  var dialog = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-text");
    dialog.innerHTML =
      '<form method="dialog"><p id="confirm-dialog-text"></p><div class="form-actions">' +
      '<button type="submit" value="yes" class="button button--danger"></button>' +
      '<button type="submit" value="no" class="button button--ghost"></button></div></form>';
    document.body.appendChild(dialog);
    return dialog;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (form.querySelector("input[name=confirmed]")) return;
    var submitter = event.submitter || null;
    var only = form.getAttribute("data-confirm-when");  // e.g. "action=remove": ask for that button only
    if (only && !(submitter && only === submitter.name + "=" + submitter.value)) return;
    event.preventDefault();
    var box = dialog || build();
    box.querySelector("p").textContent = form.getAttribute("data-confirm");
    var buttons = box.querySelectorAll("button");
    buttons[0].textContent = form.getAttribute("data-confirm-label") || document.documentElement.getAttribute("data-confirm-yes") || "OK";
    buttons[1].textContent = document.documentElement.getAttribute("data-confirm-no") || "Cancel";
    box.returnValue = "";
    box.addEventListener("close", function onClose() {
      box.removeEventListener("close", onClose);
      if (box.returnValue !== "yes") return;
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirmed";
      field.value = "yes";
      form.appendChild(field);
      if (submitter && form.requestSubmit) form.requestSubmit(submitter);
      else form.submit();
    });
    box.showModal();
    buttons[1].focus();
  });
})();
