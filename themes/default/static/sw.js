/* hoclieu service worker: keeps the pages a learner visits (and the styles, scripts, images
   and fonts they load) for reading without network, and serves the courses saved with
   "Lưu để học offline" (offline.js puts each in a cache of its own). Fingerprinted files
   under assets/ come from the cache first; everything else from the network first, the
   kept copy only when the network fails. It keeps nothing else: not the packs, not the
   files a script fetches (except the search index), not other sites. */
var VISITED = "hoclieu-visited-v1";
/* Visited files kept at most (a cheap phone has little room): the oldest go first. Saved
   courses are not counted: they stay until the learner clears them. */
var MAX_VISITED = 400;

self.addEventListener("install", function () { self.skipWaiting(); });

/* A new version of this file drops the caches of the old one; saves stay. */
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("hoclieu-visited-") == 0 && n != VISITED;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }).then(keepOpenPages));
});

/* The page that registered this worker loaded before it existed: keep it, and the files
   every page loads (SHELL, written before this file by the build from the page views),
   now. */
function keepOpenPages() {
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    var open = windows.map(function (w) { return w.url; }).filter(function (url) {
      return url.indexOf(self.registration.scope) == 0;
    });
    var shell = open.length ? SHELL.map(function (path) { return new URL(path, self.registration.scope).href; }) : [];
    return Promise.all(open.concat(shell).map(function (url) {
      return fetch(url).then(function (r) { keep(new Request(url), r); }).catch(function () {});
    }));
  });
}

function keep(request, response) {
  if (response.ok && response.type == "basic") {
    var copy = response.clone();
    caches.open(VISITED).then(function (c) {
      return c.put(request, copy).then(function () { return c.keys(); }).then(function (keys) {
        return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_VISITED)).map(function (k) { return c.delete(k); }));
      });
    });
  }
  return response;
}

/* The kept copy, also under the other name of a folder's page (…/ and …/index.html). */
function kept(request) {
  var options = { ignoreSearch: true, ignoreVary: true }, url = request.url.split(/[?#]/)[0];
  var other = /\/$/.test(url) ? url + "index.html" : /\/index\.html$/.test(url) ? url.slice(0, -10) : "";
  return caches.match(request, options).then(function (r) {
    return r || (other && caches.match(other, options));
  }).then(function (r) { return r || Response.error(); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, scope = self.registration.scope;
  if (request.method != "GET" || request.url.indexOf(scope) != 0 || request.headers.has("range")) return;
  var path = request.url.slice(scope.length);
  if (/^packs\//.test(path)) return;
  if (/^assets\//.test(path)) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then(function (r) {
      return r || fetch(request).then(function (fresh) { return keep(request, fresh); });
    }));
  } else if (request.mode == "navigate" || /^(style|script|image|font)$/.test(request.destination) || /^search\//.test(path)) {
    event.respondWith(fetch(request).then(function (fresh) { return keep(request, fresh); }, function () {
      return kept(request);
    }));
  }
});
