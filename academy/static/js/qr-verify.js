// Checks the signature in the verification address's fragment against the issuer's published P-256
// keys, with WebCrypto. The QR code carries /verify/<code>#<signature>: an ES256 JWS whose header
// ({"alg":"ES256"}) and payload (the compact code, already in the address) are left out to keep the
// symbol small; the script rebuilds "header.payload" and tries each published key. Certificates
// printed earlier carry a full token (#header.payload.signature, with kid and claims); those are
// checked too. The fragment never reaches the server; the keys come with the page (and
// /.well-known/jwks.json as a fallback), so the check needs no network. The live status shown
// above by the server remains what counts.
(function () {
  "use strict";
  var box = document.querySelector("[data-qr-check]");
  // Offline, the service worker answers verification addresses with a page that runs this check.
  if (box && "serviceWorker" in navigator && box.getAttribute("data-worker")) {
    navigator.serviceWorker.register(box.getAttribute("data-worker"), { scope: "/verify/" })
      .catch(function () { return null; });
  }
  var token = window.location.hash.replace(/^#/, "");
  var HEADER = "eyJhbGciOiJFUzI1NiJ9"; // base64url of {"alg":"ES256"}
  var detached = /^[A-Za-z0-9_-]{86}$/.test(token);
  if (!box || (!detached && token.split(".").length !== 3)) { return; }
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
  function b64(text) {
    var raw = "";
    new TextEncoder().encode(text).forEach(function (b) { raw += String.fromCharCode(b); });
    return window.btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
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
  // The code the page is about: the server's record, or offline the one in the address.
  var pageCode = box.getAttribute("data-code") ||
    decodeURIComponent(window.location.pathname.split("/").pop() || "");
  function importKey(jwk) {
    return window.crypto.subtle.importKey(
      "jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  }
  function verifyWith(list, signature, input) {
    var candidates = list.filter(function (k) { return k.kty === "EC" && k.crv === "P-256"; });
    return candidates.reduce(function (found, jwk) {
      return found.then(function (ok) {
        if (ok) { return true; }
        return importKey(jwk).then(function (key) {
          return window.crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, input);
        }).catch(function () { return false; });
      });
    }, Promise.resolve(false));
  }
  if (detached) {
    var code = compact(pageCode);
    var input = new TextEncoder().encode(HEADER + "." + b64(code));
    // The page carries every published key (the offline copy: as of the last visit online), so a
    // signature no key matches is not the issuer's: no fetch, which offline would only fail.
    keys()
      .then(function (list) { return verifyWith(list, bytes(token), input); })
      .then(function (ok) {
        if (!ok) { show(false, box.getAttribute("data-forged-text")); return; }
        show(true, box.getAttribute("data-authentic-code-text"), { code: code.replace(/(.{4})(?=.)/g, "$1-") });
      })
      .catch(function () { show(false, box.getAttribute("data-forged-text")); });
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
      if (compact(claims.code) !== compact(pageCode)) {
        show(false, box.getAttribute("data-mismatch-text"));
        return;
      }
      show(true, box.getAttribute("data-authentic-text"), claims);
    })
    .catch(function () { show(false, box.getAttribute("data-forged-text")); });
}());
