// "Add another answer" in the question editor adds a row in place, keeping everything typed.
// Without JavaScript the same button posts the form and the server answers with one more row.
(function () {
  "use strict";

  function renumber(row, index) {
    // WTForms names rows answers-0-text, answers-1-text, ...; labels say "Answer 1", "Answer 2", ...
    row.querySelectorAll("input, select, textarea").forEach(function (input) {
      ["name", "id"].forEach(function (attr) {
        var value = input.getAttribute(attr);
        if (value) input.setAttribute(attr, value.replace(/^answers-\d+-/, "answers-" + index + "-"));
      });
      var label = input.getAttribute("aria-label");
      if (label) input.setAttribute("aria-label", label.replace(/\d+/, String(index + 1)));
      input.value = "";
      input.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".field__error").forEach(function (error) { error.remove(); });
  }

  document.querySelectorAll("[data-add-answer]").forEach(function (button) {
    var body = button.closest("fieldset").querySelector("[data-answer-rows]");
    var limit = parseInt(button.getAttribute("data-add-answer"), 10);
    if (!body) return;
    button.addEventListener("click", function (event) {
      var rows = body.querySelectorAll("[data-answer-row]");
      if (!rows.length) return;
      event.preventDefault();
      var row = rows[rows.length - 1].cloneNode(true);
      renumber(row, rows.length);
      body.appendChild(row);
      var first = row.querySelector("input");
      if (first) first.focus();
      if (rows.length + 1 >= limit) button.hidden = true;
    });
  });
})();
