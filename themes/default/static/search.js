/* hoclieu search: loaded only when a search box is used. The index is a set of small
   scripts under search/<lang>/ that call hoclieuSearch.add(), so it works from file://.
   analyze() mirrors src/search/analyzer.rs rule for rule (a test compares them). */
(function (global) {
  "use strict";
  var WORD = null;
  /* Built at run time: a browser without Unicode property escapes (before Chrome 64) gets
     a message instead of a script that does not parse at all. */
  try { WORD = new RegExp("[\\p{L}\\p{N}\\p{M}]+", "gu"); } catch (e) { /* unsupported */ }
  var TONES = /[\u0300\u0301\u0303\u0309\u0323\uaabf-\uaac2]/g;
  var MARKS = /[\u0300-\u036f\uaabf-\uaac2]/g;
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  function exact(word) {
    var d = word.normalize("NFD"), tones = d.match(TONES);
    var rest = d.replace(TONES, "").normalize("NFC");
    return tones ? rest + tones[tones.length - 1] : rest;
  }
  function fold(word) {
    return word.normalize("NFD").replace(MARKS, "").replace(/đ/g, "d").normalize("NFC");
  }
  /* Words of a text: {exact, folded, start, end}, offsets in the NFC text. */
  function analyze(text) {
    var nfc = text.normalize("NFC"), out = [], m;
    if (!WORD) return out;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(nfc))) {
      var lower = m[0].toLowerCase(), folded = fold(lower);
      if (folded) out.push({ exact: exact(lower), folded: folded, start: m.index, end: m.index + m[0].length });
    }
    return out;
  }

  var store = Object.create(null), loading = Object.create(null), root = "", lang;
  global.hoclieuSearch = {
    add: function (l, kind, i, data) { (store[l] = store[l] || Object.create(null))[kind + i] = data; }
  };
  /* Runs an index script; done(true) once it has run, done(false) when it failed to load. */
  var run_script = function (src, done) {
    var s = document.createElement("script");
    s.src = src;
    s.onload = function () { done(true); };
    s.onerror = function () { s.remove(); done(false); };
    document.head.appendChild(s);
  };
  /* One index file; a failed download is forgotten, so the next query tries again. */
  function load(l, kind, i) {
    var key = l + "/" + kind + i;
    if (!loading[key]) loading[key] = new Promise(function (resolve, reject) {
      var name = kind === "meta" || kind === "f" || kind === "v" ? kind : kind + i;
      run_script(root + "search/" + l + "/" + name + ".js", function (ok) {
        var data = store[l] && store[l][kind + i];
        if (ok && data !== undefined) return resolve(data);
        delete loading[key];
        reject(new Error("search/" + l + "/" + name + ".js"));
      });
    });
    return loading[key];
  }
  /* Terms are sorted by folded form, then as strings (shard_order in browser.rs), so a
     word, its exact forms and its pairs share a shard. */
  function before(a, b) {
    var fa = fold(a), fb = fold(b);
    return fa < fb || (fa === fb && a <= b);
  }
  function shardOf(meta, term) {
    var lo = 0, hi = meta.shards.length - 1;
    if (hi < 0 || !before(meta.shards[0], term)) return -1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (before(meta.shards[mid], term)) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function postings(l, meta, term) {
    var i = shardOf(meta, term);
    if (i < 0) return Promise.resolve(null);
    return load(l, "s", i).then(function (shard) { return has(shard, term) ? shard[term] : null; });
  }
  /* Words that complete a prefix being typed, most common first: they may continue into the
     next shards (pairs such as "an toan" sort between "an" and "anh"). */
  function completions(l, meta, prefix) {
    var first = Math.max(0, shardOf(meta, prefix)), shards = [first];
    for (var j = first + 1; j < meta.shards.length && j <= first + 2 && fold(meta.shards[j]).indexOf(prefix) === 0; j++) {
      shards.push(j);
    }
    return Promise.all(shards.map(function (s) { return load(l, "s", s); })).then(function (loaded) {
      var found = [];
      loaded.forEach(function (shard) {
        for (var term in shard) {
          if (has(shard, term) && term !== prefix && term.indexOf(prefix) === 0 && term.indexOf(" ") < 0) {
            found.push(shard[term]);
          }
        }
      });
      return found.sort(function (a, b) { return b.length - a.length; }).slice(0, 5);
    });
  }
  /* Ranks documents of one language, as src/search/rank.rs does (a shared table of cases
     checks both): words plus pairs present plus pairs in a title or heading (a phrase before
     the same words scattered, a title's phrase before the body's), then words as typed (`vui`
     before `vùi`, `đường` before `dương`), then score, then page order. A posting's value is twice
     the score plus a flag: the word written without diacritics, or the pair in a title or
     heading. Resolves to {docs, missing: folded query words the index lacks}. */
  function rank(l, words, typing) {
    return load(l, "meta", 0).then(function (meta) {
      if (!meta.docs) return { docs: [], missing: [] };
      var wanted = [];
      words.forEach(function (w, i) {
        var toneless = w.exact === w.folded;
        wanted.push({ term: w.folded, kind: "w", i: i, toneless: toneless });
        if (!toneless) wanted.push({ term: w.exact, kind: "x", i: i });
        if (i + 1 < words.length) wanted.push({ term: w.folded + " " + words[i + 1].folded, kind: "p", i: i });
      });
      var last = words[words.length - 1];
      var more = typing && last.folded.length > 1 ? completions(l, meta, last.folded) : Promise.resolve([]);
      var lists = Promise.all(wanted.map(function (t) { return postings(l, meta, t.term); }));
      return Promise.all([lists, more]).then(function (found) {
        var docs = Object.create(null), n = words.length;
        function doc(id) {
          return docs[id] = docs[id] || { id: id, score: 0, words: [], pairs: [], strong: [], exact: [] };
        }
        found[0].forEach(function (list, k) {
          var t = wanted[k];
          for (var j = 0, id = 0; list && j < list.length; j += 2) {
            id += list[j];
            var d = doc(id), v = list[j + 1], flag = v % 2 === 1, score = (v - (v % 2)) / 2;
            if (t.kind === "w") {
              d.words[t.i] = 1;
              if (t.toneless && flag) d.exact[t.i] = 1;
              d.score += score * 2;
            } else if (t.kind === "x") {
              d.exact[t.i] = 1;
              d.score += score * 2;
            } else {
              d.pairs[t.i] = 1;
              if (flag) d.strong[t.i] = 1;
              d.score += score * 4;
            }
          }
        });
        // the word being typed, completed: counts as that word
        found[1].forEach(function (list) {
          for (var j = 0, id = 0; j < list.length; j += 2) {
            id += list[j];
            var d = doc(id);
            d.words[n - 1] = 1;
            d.score += (list[j + 1] - (list[j + 1] % 2)) / 2;
          }
        });
        function count(a) { var c = 0; for (var i = 0; i < n; i++) if (a[i]) c++; return c; }
        var ranked = Object.keys(docs).map(function (k) {
          var d = docs[k];
          return { id: d.id, strong: count(d.strong), coverage: count(d.words) + count(d.pairs),
                   exact: count(d.exact), score: d.score, chunk: meta.chunk };
        }).sort(function (a, b) {
          return b.coverage + b.strong - a.coverage - a.strong || b.exact - a.exact ||
            b.score - a.score || a.id - b.id;
        });
        var missing = [];
        wanted.forEach(function (t, k) {
          if (t.kind === "w" && !found[0][k] && !(typing && t.i === n - 1)) missing.push(t.term);
        });
        return { docs: ranked, missing: missing };
      });
    });
  }
  /* Whether folded words a and b are one edit apart: a letter added, removed or replaced,
     or two neighbours swapped (as one_edit in src/search/rank.rs). */
  function oneEdit(a, b) {
    a = Array.from(a); b = Array.from(b);
    if (a.length > b.length) { var t = a; a = b; b = t; }
    var s = 0;
    while (s < a.length && a[s] === b[s]) s++;
    var rest = function (x, i) { return x.slice(i).join("\u0000"); };
    if (b.length - a.length === 1) return rest(a, s) === rest(b, s + 1);
    if (b.length !== a.length || s === a.length) return false;
    return rest(a, s + 1) === rest(b, s + 1) ||
      (s + 1 < a.length && a[s] === b[s + 1] && a[s + 1] === b[s] && rest(a, s + 2) === rest(b, s + 2));
  }
  /* "Did you mean": the query with each word the index lacks (longer than a letter) replaced
     by the most common word of the index one edit away; null when none was replaced. Loads
     one extra file, the vocabulary (v.js), only when some word matched nothing. */
  function suggest(l, query, missing) {
    var words = analyze(query), nfc = query.normalize("NFC");
    var wanted = words.some(function (w) { return missing.indexOf(w.folded) >= 0 && Array.from(w.folded).length > 1; });
    if (!wanted) return Promise.resolve(null);
    return load(l, "v", 0).then(function (vocabulary) {
      var replaced = false;
      var out = words.map(function (w) {
        if (missing.indexOf(w.folded) >= 0 && Array.from(w.folded).length > 1) {
          for (var i = 0; i < vocabulary.length; i++) {
            if (oneEdit(vocabulary[i], w.folded)) { replaced = true; return vocabulary[i]; }
          }
        }
        return nfc.slice(w.start, w.end).toLowerCase();
      });
      return replaced ? out.join(" ") : null;
    });
  }
  /* Keeps the documents of target group g and domain dm (-1: any), from the masks file
     loaded only when a filter is chosen. */
  function filtered(l, ranked, g, dm) {
    if (g < 0 && dm < 0) return Promise.resolve(ranked);
    return load(l, "f", 0).then(function (masks) {
      return ranked.filter(function (d) {
        return (g < 0 || (masks[2 * d.id] >> g) & 1) && (dm < 0 || (masks[2 * d.id + 1] >> dm) & 1);
      });
    });
  }
  function details(l, ranked, limit) {
    var top = ranked.slice(0, limit);
    return Promise.all(top.map(function (d) { return load(l, "d", Math.floor(d.id / d.chunk)); })).then(function (chunks) {
      return top.map(function (d, k) { return chunks[k][d.id % d.chunk]; }).filter(Boolean);
    });
  }
  function highlight(el, text, words) {
    var folded = Object.create(null), at = 0;
    words.forEach(function (w) { folded[w.folded] = 1; });
    text = text.normalize("NFC");
    analyze(text).forEach(function (w) {
      if (!folded[w.folded]) return;
      el.appendChild(document.createTextNode(text.slice(at, w.start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(w.start, w.end);
      el.appendChild(mark);
      at = w.end;
    });
    el.appendChild(document.createTextNode(text.slice(at)));
  }
  function item(row, words) {
    var li = document.createElement("li"), a = document.createElement("a");
    // index.html spelled out: from file:// a folder address shows a listing, not the page
    a.href = root + lang + "/" + row[1] + (/(^|\/)$/.test(row[1]) ? "index.html" : "");
    a.textContent = row[0];
    li.appendChild(a);
    if (row[2]) { var c = document.createElement("span"); c.className = "crumb"; c.textContent = row[2]; li.appendChild(c); }
    if (row[3]) { var p = document.createElement("p"); highlight(p, row[3], words); li.appendChild(p); }
    return li;
  }
  /* Every matching document of language l, best first, as ranked entries (ids only: the
     titles and paths come in pages, from details()). `skip` drops documents of the default
     language that the reader's language has in translation (meta.of of that language). */
  function matches(l, query, g, dm, typing, skip) {
    var words = analyze(query), missing = [];
    if (!words.length) return Promise.resolve([]);
    return rank(l, words, typing)
      .then(function (r) { missing = r.missing; return filtered(l, r.docs, g, dm); })
      .then(function (r) {
        r = skip ? r.filter(function (d) { return !skip[d.id]; }) : r;
        r.missing = missing;
        return r;
      });
  }
  /* The ids of default-language documents that language l translates, as a set. */
  function translated(l) {
    return load(l, "meta", 0).then(function (meta) {
      var set = Object.create(null), id = 0;
      (meta.of || []).forEach(function (delta) { id += delta; set[id] = 1; });
      return set;
    });
  }
  /* {rows: the best `limit` as [title, path, …], count: how many match, suggestion}. */
  function search(l, query, limit, g, dm, typing) {
    return matches(l, query, g, dm, typing).then(function (r) {
      return Promise.all([details(l, r, limit), suggest(l, query, r.missing || [])]).then(function (both) {
        return { rows: both[0], count: r.length, suggestion: both[1] };
      });
    });
  }

  /* Under node (tests): the same ranking over a built index, scripts read from disk. */
  if (typeof module === "object" && module.exports) {
    module.exports = {
      analyze: analyze,
      add: global.hoclieuSearch.add,
      open: function (base, runner) { root = base; run_script = runner; },
      search: function (l, query, limit, g, dm, typing) {
        return search(l, query, limit, g === undefined ? -1 : g, dm === undefined ? -1 : dm, !!typing);
      }
    };
    return;
  }
  var form = document.querySelector("form[data-search]");
  if (!form) return;
  root = form.getAttribute("data-root");
  lang = form.getAttribute("data-lang");
  var fallback = form.getAttribute("data-default");

  /* The page's boxes: the search page's form (with filters) or the one in the header. */
  var page = document.getElementById("search-page");
  var box = page || form;
  var input = box.querySelector("input[name=q]");
  var status, results;
  if (page) {
    status = document.getElementById("search-status");
    results = document.getElementById("search-results");
  } else {
    results = document.createElement("div");
    results.className = "search-panel";
    status = document.createElement("p");
    status.setAttribute("role", "status");
    results.appendChild(status);
    form.parentNode.insertBefore(results, form.nextSibling);
  }
  function say(template, count, query) {
    return (template || "").replace("{count}", function () { return count; })
      .replace("{query}", function () { return query; });
  }
  function clear() {
    [].slice.call(results.querySelectorAll("ol, h2, .search-more, .search-all, .search-suggest")).forEach(function (el) { el.remove(); });
  }
  var generation = 0, pending = [], shown = 0, words = [];
  var PAGE = page ? 10 : 6;
  /* Shows the next PAGE results of `pending` (language sections in order: the reader's
     language, then the Vietnamese pages it has no translation of). */
  function more(mine) {
    var next = pending.slice(shown, shown + PAGE);
    var byLang = [];
    next.forEach(function (p) {
      var last = byLang[byLang.length - 1];
      if (!last || last.l !== p.l) byLang.push(last = { l: p.l, k: p.k, docs: [] });
      last.docs.push(p.d);
    });
    return Promise.all(byLang.map(function (b) { return details(b.l, b.docs, b.docs.length); })).then(function (rows) {
      if (mine !== generation) return;
      var button = results.querySelector(".search-more");
      if (button) button.remove();
      rows.forEach(function (list, j) {
        var section = byLang[j], ol = results.querySelector("ol[data-k='" + section.k + "']");
        if (!ol) {
          if (section.k > 0) {
            var h = document.createElement("h2");
            h.className = "search-other";
            h.textContent = form.getAttribute("data-other");
            results.appendChild(h);
          }
          ol = document.createElement("ol");
          ol.setAttribute("data-k", section.k);
          ol.style.setProperty("--start", shown);
          results.appendChild(ol);
        }
        list.forEach(function (row) { ol.appendChild(item(row, words)); });
        shown += list.length;
      });
      if (shown < pending.length) {
        if (page) {
          button = document.createElement("button");
          button.type = "button";
          button.className = "search-more";
          button.textContent = box.getAttribute("data-more") + " (" + (pending.length - shown) + ")";
          button.onclick = function () { more(generation); };
          results.appendChild(button);
        } else {
          var all = document.createElement("a");
          all.className = "search-all";
          all.href = form.getAttribute("action") + "?q=" + encodeURIComponent(input.value.trim());
          all.textContent = form.getAttribute("data-all") + " (" + pending.length + ")";
          results.appendChild(all);
        }
      }
    });
  }
  /* "Did you mean …?" under the status, the suggestion a link to its results. */
  function suggestion(text) {
    var p = document.createElement("p"), a = document.createElement("a");
    var template = form.getAttribute("data-suggest") || "{query}", at = template.indexOf("{query}");
    p.className = "search-suggest";
    a.href = (page ? "" : form.getAttribute("action")) + "?q=" + encodeURIComponent(text);
    a.textContent = text;
    p.appendChild(document.createTextNode(template.slice(0, at)));
    p.appendChild(a);
    p.appendChild(document.createTextNode(template.slice(at + 7)));
    status.parentNode.insertBefore(p, status.nextSibling);
  }
  function run(typing) {
    var query = input.value, mine = ++generation;
    var group = page && page.querySelector("select[name=nhom]"), domain = page && page.querySelector("select[name=linh-vuc]");
    var g = group && group.value !== "" ? +group.value : -1, dm = domain && domain.value !== "" ? +domain.value : -1;
    if (!WORD) { status.textContent = form.getAttribute("data-error"); return; }
    if (!analyze(query).length) { clear(); status.textContent = ""; return; }
    var own = matches(lang, query, g, dm, typing);
    var other = lang === fallback ? Promise.resolve([]) : translated(lang).then(function (skip) {
      return matches(fallback, query, g, dm, typing, skip);
    });
    Promise.all([own, other]).then(function (found) {
      if (mine !== generation) return;
      words = analyze(query);
      pending = [];
      found.forEach(function (docs, k) {
        docs.forEach(function (d) { pending.push({ l: k ? fallback : lang, k: k, d: d }); });
      });
      shown = 0;
      clear();
      return Promise.all([more(mine), suggest(lang, query, found[0].missing || []).catch(function () { return null; })])
        .then(function (done) {
          if (mine !== generation) return;
          status.textContent = say(form.getAttribute(pending.length ? "data-found" : "data-none"), pending.length, query.trim());
          if (done[1]) suggestion(done[1]);
        });
    }).catch(function () {
      if (mine !== generation) return;
      clear();
      status.textContent = form.getAttribute("data-error");
    });
  }
  var timer;
  function later() { clearTimeout(timer); timer = setTimeout(function () { run(!/\s$/.test(input.value)); }, 200); }
  input.addEventListener("input", later);
  if (page) {
    [].forEach.call(page.querySelectorAll("select"), function (s) { s.addEventListener("change", function () { run(false); }); });
    var q = new URLSearchParams(location.search).get("q");
    if (q) input.value = q;
    page.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); run(false); });
  }
  if (input.value) run(false);
})(typeof window === "object" ? window : this);
