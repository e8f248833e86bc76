/* hoclieu: "Lưu để học offline" on course and learning-path pages, loaded by site.js over
   HTTP only, after the page, on the pages that have the button. It saves exactly the files the
   page's offline.json lists into a cache of their own (named by data-cache), the list last
   as the mark of a complete save; it clears that save, or everything the site keeps in
   this browser. The service worker (sw.js) serves the saved files when there is no network. */
(function () {
  var box = document.querySelector(".offline"), d = box.dataset, name = d.cache;
  var status = box.querySelector("[role=status]"), buttons = {}, list, busy;
  var manifest = new URL(d.manifest, location.href).href, root = new URL(d.root, location.href).href;
  [].forEach.call(box.querySelectorAll("button"), function (b) { buttons[b.value] = b; });
  function say(text, m) {
    status.textContent = m ? text.replace("{count}", m.lessons).replace("{size}", m.size) : text;
  }
  function show(shown) {
    for (var k in buttons) buttons[k].hidden = shown.indexOf(k) < 0;
  }
  /* Every complete save of this site in this browser (its list is stored last), with the
     bytes it holds: [{lessons, bytes}] from each save's own offline.json. */
  function saves() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("hoclieu-save:") == 0; }).map(function (n) {
        return caches.open(n).then(function (c) {
          return c.keys().then(function (requests) {
            var list = requests.filter(function (r) { return /\/offline\.json$/.test(r.url); })[0];
            return list && c.match(list).then(function (r) { return r.json(); });
          });
        }).catch(function () { return null; });
      }));
    }).then(function (found) { return found.filter(Boolean); });
  }
  function size(bytes) {
    return bytes >= 1e6 ? (bytes / 1e6).toFixed(1) + " MB" : bytes >= 1e3 ? Math.round(bytes / 1e3) + " KB" : bytes + " B";
  }
  /* Whether this page's save is complete; "clear all" only when anything is saved. */
  function idle() {
    return caches.has(name).then(function (some) {
      return some && caches.open(name).then(function (c) { return c.match(manifest); });
    }).then(function (done) {
      var save = buttons.save;
      save.disabled = !!done;
      save.textContent = done ? d.saved : save.getAttribute("data-label");
      return saves().then(function (all) {
        show((done ? ["save", "clear"] : ["save"]).concat(all.length ? ["all"] : []));
      });
    });
  }
  /* Asks before clearing everything, naming how many saves and how many bytes go. */
  function askAll() {
    saves().then(function (all) {
      var bytes = all.reduce(function (sum, m) { return sum + (m.bytes || 0); }, 0);
      status.textContent = d.askAll.replace("{count}", all.length).replace("{size}", size(bytes));
      show(["allyes", "no"]);
      buttons.no.focus();
    });
  }
  function ask() {
    fetch(manifest, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw r.status;
      return r.json();
    }).then(function (m) {
      list = m;
      say(d.ask, m);
      show(["yes", "no"]);
      buttons.yes.focus();
    }).catch(function () { say(d.error); });
  }
  /* Fetches every listed file, three at a time, into the save's cache. */
  function save() {
    var m = list, files = m.files.slice(), done = 0, failed = 0;
    busy = 1;
    show([]);
    say(d.progress.replace("{done}", 0).replace("{total}", m.files.length));
    return caches.open(name).then(function (cache) {
      function next() {
        var file = files.shift();
        if (!file) return;
        var url = new URL(file, root).href;
        return fetch(url, { cache: "no-cache" }).then(function (r) {
          if (!r.ok) throw r.status;
          return cache.put(url, r);
        }).then(function () { done++; }, function () { failed++; }).then(function () {
          say(d.progress.replace("{done}", done).replace("{total}", m.files.length));
          return next();
        });
      }
      return Promise.all([next(), next(), next()]).then(function () {
        if (failed) throw failed;
        return cache.put(manifest, new Response(JSON.stringify(m), { headers: { "Content-Type": "application/json" } }));
      });
    }).then(function () {
      busy = 0;
      say(d.done, m);
      return idle();
    }, function () {
      busy = 0;
      say(d.failed.replace("{failed}", failed || m.files.length));
      return caches.delete(name).then(idle);
    });
  }
  function clear(all) {
    (all ? caches.keys() : Promise.resolve([name])).then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("hoclieu-") == 0; }).map(function (n) {
        return caches.delete(n);
      }));
    }).then(function () {
      say(all ? d.clearedAll : d.cleared);
      return idle();
    });
  }
  function act(action) {
    if (busy) return;
    if (action == "save") ask();
    else if (action == "yes" && list) save();
    else if (action == "no") { say(""); idle(); buttons.save.focus(); }
    else if (action == "clear") clear(false);
    else if (action == "all") askAll();
    else if (action == "allyes") clear(true);
  }
  buttons.save.setAttribute("data-label", buttons.save.textContent);
  box.addEventListener("click", function (event) {
    var b = event.target.closest("button");
    if (b) act(b.value);
  });
  idle().then(function () { box.hidden = false; });
})();
