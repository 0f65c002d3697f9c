// Live Markdown preview for the lesson editor. Without JavaScript the "Preview" button posts the
// form and the server renders the preview; with it, the preview updates in place, unsaved.
(function () {
  "use strict";

  function init(form) {
    var button = form.querySelector("[data-preview-button]");
    var textarea = form.querySelector("textarea[data-markdown-preview]");
    if (!button || !textarea) return;
    var section = document.getElementById(textarea.getAttribute("data-markdown-preview"));
    var target = section && section.querySelector("[data-preview-target]");
    var url = form.getAttribute("data-preview-url");
    var token = form.querySelector("input[name=csrf_token]");
    if (!target || !url || !token) return;

    button.addEventListener("click", function (event) {
      event.preventDefault();
      var data = new FormData();
      data.append("csrf_token", token.value);
      data.append("body", textarea.value);
      fetch(url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("preview failed");
          return response.text();
        })
        .then(function (html) {
          // The server sanitised this HTML with nh3 (academy/markdown.py).
          target.innerHTML = html;
          section.hidden = false;
          section.scrollIntoView({ block: "nearest" });
        })
        .catch(function () {
          form.requestSubmit(button);  // fall back to the server-rendered preview
        });
    });
  }

  document.querySelectorAll("form[data-preview-url]").forEach(init);
})();
