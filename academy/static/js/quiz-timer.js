// Shows the time left before an attempt's deadline. The server enforces the deadline; this only informs.
(function () {
  "use strict";
  var box = document.querySelector("[data-deadline]");
  if (!box) { return; }
  var out = box.querySelector(".deadline__left");
  var deadline = Date.parse(box.getAttribute("data-deadline"));
  if (!out || isNaN(deadline)) { return; }
  var lastMinutes = null;
  function tick() {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    // Announce once a minute (aria-live), not every second.
    if (minutes !== lastMinutes || left === 0) {
      lastMinutes = minutes;
      // "Less than one minute left." in the singular; "Less than {n} minutes left." otherwise.
      out.textContent = left === 0 ? box.getAttribute("data-up")
        : minutes === 0 ? box.getAttribute("data-left-one")
          : box.getAttribute("data-left").replace("{n}", String(minutes + 1));
    }
    if (left > 0) { window.setTimeout(tick, 1000); }
  }
  tick();
}());
