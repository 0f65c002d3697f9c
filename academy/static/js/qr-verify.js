// Checks the signed token in the verification address's fragment (#header.payload.signature, ES256)
// against the issuer's published P-256 key, with WebCrypto. The fragment never reaches the server;
// the key comes with the page (and /.well-known/jwks.json as a fallback), so the check itself needs
// no network. The live status shown above by the server remains what counts.
(function () {
  "use strict";
  var box = document.querySelector("[data-qr-check]");
  // Offline, the service worker answers verification addresses with a page that runs this check.
  if (box && "serviceWorker" in navigator && box.getAttribute("data-worker")) {
    navigator.serviceWorker.register(box.getAttribute("data-worker"), { scope: "/verify/" })
      .catch(function () { return null; });
  }
  var token = window.location.hash.replace(/^#/, "");
  if (!box || token.split(".").length !== 3) { return; }
  var parts = token.split(".");
  var title = box.querySelector("[data-qr-title]");
  var text = box.querySelector("[data-qr-text]");
  var icon = box.querySelector("[data-qr-icon]");
  var claimsList = box.querySelector("[data-qr-claims]");
  box.hidden = false;

  function bytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = window.atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function compact(code) { return String(code || "").toUpperCase().replace(/[^0-9A-Z]/g, ""); }
  function json(b64url) { return JSON.parse(new TextDecoder().decode(bytes(b64url))); }
  function show(ok, message, claims) {
    box.classList.add(ok ? "cert-state--valid" : "cert-state--revoked");
    icon.textContent = ok ? "✓" : "!";
    title.textContent = box.getAttribute(ok ? "data-authentic" : "data-forged");
    text.textContent = message;
    if (ok && claims) {
      var labels = JSON.parse(box.getAttribute("data-labels"));
      ["name", "course", "credits", "date", "code"].forEach(function (name) {
        if (claims[name] === undefined) { return; }
        var dt = document.createElement("dt");
        var dd = document.createElement("dd");
        dt.textContent = labels[name];
        dd.textContent = String(claims[name]);
        claimsList.appendChild(dt);
        claimsList.appendChild(dd);
      });
    }
  }
  function keys() {
    var embedded = JSON.parse(box.getAttribute("data-jwks") || "{\"keys\": []}");
    return Promise.resolve(embedded.keys);
  }
  function fetched() {
    return window.fetch(box.getAttribute("data-jwks-url"), { credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (set) { return set.keys || []; });
  }
  function findKey(list, kid) {
    return list.filter(function (k) { return k.kid === kid && k.kty === "EC" && k.crv === "P-256"; })[0];
  }

  if (!window.crypto || !window.crypto.subtle || !window.TextDecoder) {
    box.classList.add("cert-state--expired");
    title.textContent = box.getAttribute("data-forged");
    text.textContent = box.getAttribute("data-unsupported-text");
    return;
  }
  var header, claims;
  try {
    header = json(parts[0]);
    claims = json(parts[1]);
  } catch (err) {
    show(false, box.getAttribute("data-forged-text"));
    return;
  }
  if (header.alg !== "ES256") { show(false, box.getAttribute("data-forged-text")); return; }
  keys()
    .then(function (list) { return findKey(list, header.kid) || fetched().then(function (l) { return findKey(l, header.kid); }); })
    .then(function (jwk) {
      if (!jwk) { throw new Error("unknown key"); }
      return window.crypto.subtle.importKey(
        "jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
        { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    })
    .then(function (key) {
      return window.crypto.subtle.verify(
        { name: "ECDSA", hash: "SHA-256" }, key, bytes(parts[2]),
        new TextEncoder().encode(parts[0] + "." + parts[1]));
    })
    .then(function (ok) {
      if (!ok) { show(false, box.getAttribute("data-forged-text")); return; }
      // The code the page is about: the server's record, or offline the one in the address.
      var pageCode = box.getAttribute("data-code") ||
        decodeURIComponent(window.location.pathname.split("/").pop() || "");
      if (compact(claims.code) !== compact(pageCode)) {
        show(false, box.getAttribute("data-mismatch-text"));
        return;
      }
      show(true, box.getAttribute("data-authentic-text"), claims);
    })
    .catch(function () { show(false, box.getAttribute("data-forged-text")); });
}());
