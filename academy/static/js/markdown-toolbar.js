// A small Markdown toolbar and keyboard shortcuts (Ctrl/⌘+B, I, K) for textareas marked
// data-markdown-toolbar. Progressive enhancement: without JavaScript the textarea works as it is
// and the help text under its label lists the Markdown. Also wires the "Insert at the cursor"
// buttons of the course's uploaded files.
(function () {
  "use strict";

  function surround(textarea, before, after, placeholder) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    var chosen = value.slice(start, end) || placeholder;
    textarea.setRangeText(before + chosen + after, start, end, "select");
    textarea.setSelectionRange(start + before.length, start + before.length + chosen.length);
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function prefixLines(textarea, prefix, numbered) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    var lines = value.slice(start, end).split("\n");
    var text = lines.map(function (line, i) { return (numbered ? (i + 1) + ". " : prefix) + line; }).join("\n");
    textarea.setRangeText(text, start, end, "select");
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function insert(textarea, text) {
    var start = textarea.selectionStart, value = textarea.value;
    var before = start > 0 && value[start - 1] !== "\n" ? "\n\n" : "";
    textarea.setRangeText(before + text + "\n", start, textarea.selectionEnd, "end");
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  var ACTIONS = {
    bold: function (t) { surround(t, "**", "**", t.dataset.textBold || "bold text"); },
    italic: function (t) { surround(t, "*", "*", t.dataset.textItalic || "italic text"); },
    heading: function (t) { prefixLines(t, "## "); },
    link: function (t) { surround(t, "[", "](https://)", t.dataset.textLink || "link text"); },
    bullets: function (t) { prefixLines(t, "- "); },
    numbers: function (t) { prefixLines(t, "", true); },
    quote: function (t) { prefixLines(t, "> "); },
    video: function (t) { insert(t, "![" + (t.dataset.textVideo || "What the video shows") + "](https://www.youtube.com/watch?v=)"); },
    image: function (t) {
      var upload = document.querySelector("input[type=file][name=upload]");
      if (upload) upload.focus();
    }
  };
  var SHORTCUTS = { b: "bold", i: "italic", k: "link" };

  function build(textarea) {
    var holder = textarea.closest("[data-markdown-toolbar-labels]");
    var spec = holder && JSON.parse(holder.getAttribute("data-markdown-toolbar-labels"));
    if (!spec) return;
    Object.keys(spec.placeholders || {}).forEach(function (key) { textarea.dataset[key] = spec.placeholders[key]; });
    var bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", spec.toolbar);
    bar.setAttribute("aria-controls", textarea.id);
    spec.buttons.forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--small button--ghost";
      // The short sign is shown, the full name is read out (and shown as a tooltip).
      var sign = document.createElement("span");
      sign.setAttribute("aria-hidden", "true");
      sign.textContent = item.text;
      var name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = item.label;
      button.appendChild(sign);
      button.appendChild(name);
      button.title = item.label;
      button.addEventListener("click", function () { ACTIONS[item.action](textarea); });
      bar.appendChild(button);
    });
    textarea.parentNode.insertBefore(bar, textarea);
    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      var action = SHORTCUTS[event.key.toLowerCase()];
      if (!action) return;
      event.preventDefault();
      ACTIONS[action](textarea);
    });
  }

  document.querySelectorAll("textarea[data-markdown-toolbar]").forEach(build);
  document.querySelectorAll("[data-insert-into]").forEach(function (button) {
    var textarea = document.getElementById(button.getAttribute("data-insert-into"));
    var source = button.parentNode.querySelector("[data-insert-source]");
    if (!textarea || !source) return;
    button.hidden = false;
    button.addEventListener("click", function () { insert(textarea, source.textContent); });
  });
})();
