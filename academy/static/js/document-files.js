// The editor's "Upload and insert": sends the file with fetch and puts its Markdown at the cursor.
// Without JavaScript the button posts the whole form and the page comes back with the Markdown at
// the end of the text; either way nothing typed is lost and nothing is saved until Save.
(function () {
  "use strict";
  var button = document.querySelector("[data-doc-upload]");
  if (!button || !window.fetch || !window.FormData) return;
  var form = button.form;
  var text = form.querySelector("textarea[name=body]");
  var status = form.querySelector(".doc-files__status");

  function insert(markdown) {
    var start = text.selectionStart, end = text.selectionEnd, value = text.value;
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var tail = after && !/^\n/.test(after) ? "\n\n" : "";
    text.value = before + lead + markdown + tail + after;
    var cursor = (before + lead + markdown).length;
    text.setSelectionRange(cursor, cursor);
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    button.disabled = true;
    status.textContent = "";
    fetch(button.getAttribute("formaction"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (result.ok) {
          insert(result.data.markdown);
          form.querySelector("input[name=upload]").value = "";
          form.querySelector("input[name=alt]").value = "";
          status.textContent = status.getAttribute("data-label-done");
          text.focus();
        } else {
          var errors = result.data.errors || {};
          var messages = [];
          Object.keys(errors).forEach(function (name) { messages = messages.concat(errors[name]); });
          status.textContent = messages.join(" ") || status.getAttribute("data-label-failed");
        }
      })
      .catch(function () { status.textContent = status.getAttribute("data-label-failed"); })
      .then(function () { button.disabled = false; });
  });
})();
