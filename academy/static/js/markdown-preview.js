// Side-by-side Markdown preview for the lesson editor. Without JavaScript the "Preview" button posts
// the form and the server renders the preview next to the text; with it, the preview sits beside
// the text from the start and follows the typing (a moment after it stops), unsaved.
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
    var timer = null;
    var sent = null;

    function refresh(fallback) {
      if (textarea.value === sent && !fallback) return;
      sent = textarea.value;
      var data = new FormData();
      data.append("csrf_token", token.value);
      data.append("body", textarea.value);
      data.append("course", form.getAttribute("data-preview-course") || "");
      fetch(url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("preview failed");
          return response.text();
        })
        .then(function (html) {
          // The server sanitised this HTML with nh3 (academy/markdown.py).
          target.innerHTML = html;
          section.hidden = false;
        })
        .catch(function () {
          if (fallback) form.requestSubmit(button);  // fall back to the server-rendered preview
        });
    }

    var split = section.closest(".editor-split");
    if (split) split.classList.add("editor-split--live");
    section.hidden = false;
    // Following the typing, the preview is not read out at every pause; "Preview" reads it out.
    section.setAttribute("aria-live", "off");
    refresh(false);
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { refresh(false); }, 500);
    });
    button.addEventListener("click", function (event) {
      event.preventDefault();
      section.setAttribute("aria-live", "polite");
      refresh(true);
      section.scrollIntoView({ block: "nearest" });
    });
  }

  document.querySelectorAll("form[data-preview-url]").forEach(init);
})();
