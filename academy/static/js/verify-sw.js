// Service worker of the verification pages (scope /verify/). Online it stays out of the way: every
// page comes from the server with its live status. Offline, a verification address opens a cached
// page whose script still checks the QR code's signed token against the issuer's key it carries.
"use strict";
var CACHE = "academy-verify-v1";
var SHELL = "/verify/offline";
var ASSETS = [SHELL, "/static/js/qr-verify.js", "/static/css/academy.css", "/static/css/certificates.css",
  "/static/img/logo.svg", "/static/img/favicon.svg"];

function store() {
  return caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS.map(function (url) { return new Request(url, { credentials: "omit" }); }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(store().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname.indexOf("/verify/") === 0) {
    event.respondWith(fetch(request).then(function (response) {
      // Online: refresh the offline page (and with it the published key) for next time.
      event.waitUntil(store().catch(function () { return null; }));
      return response;
    }).catch(function () {
      return caches.match(SHELL);
    }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(url.pathname, { ignoreSearch: true });
    }));
  }
});
