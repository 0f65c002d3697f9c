// "Who is editing now" on a document: polls the presence URL and, on the editor, sends a heartbeat.
// Without JavaScript the server-rendered note stays as it was when the page loaded.
(function () {
  "use strict";
  var note = document.getElementById("doc-presence");
  if (!note || !window.fetch) return;
  var url = note.getAttribute("data-presence-url");
  var beat = parseInt(note.getAttribute("data-heartbeat") || "0", 10);
  var form = document.querySelector("form input[name=csrf_token]");
  var interval = (beat || 30) * 1000;

  function show(names) {
    note.textContent = "";
    if (names.length) {
      note.appendChild(document.createTextNode(note.getAttribute("data-label-some") + " "));
      var strong = document.createElement("strong");
      strong.textContent = names.join(", ");
      note.appendChild(strong);
    } else {
      note.textContent = note.getAttribute("data-label-none");
    }
  }

  function poll() {
    var options = { credentials: "same-origin", headers: { Accept: "application/json" } };
    if (beat && form) {
      var data = new FormData();
      data.append("csrf_token", form.value);
      options.method = "POST";
      options.body = data;
    }
    fetch(url, options)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data.editing || []); })
      .catch(function () {});
  }

  if (beat) poll();
  window.setInterval(poll, interval);
})();
