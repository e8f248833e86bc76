/* hoclieu search: loaded only when a search box is used. The index is a set of small
   scripts under search/<lang>/ that call hoclieuSearch.add(), so it works from file://.
   analyze() mirrors src/search/analyzer.rs rule for rule (a test compares them). */
(function (global) {
  "use strict";
  var WORD = /[\p{L}\p{N}\p{M}]+/gu;
  var TONES = /[\u0300\u0301\u0303\u0309\u0323\uaabf-\uaac2]/g;
  var MARKS = /[\u0300-\u036f\uaabf-\uaac2]/g;

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
    WORD.lastIndex = 0;
    while ((m = WORD.exec(nfc))) {
      var lower = m[0].toLowerCase(), folded = fold(lower);
      if (folded) out.push({ exact: exact(lower), folded: folded, start: m.index, end: m.index + m[0].length });
    }
    return out;
  }

  var store = {}, loading = {}, root = "", lang;
  global.hoclieuSearch = {
    add: function (lang, kind, i, data) { (store[lang] = store[lang] || {})[kind + i] = data; }
  };
  /* Runs an index script; resolves when it has run (or failed to load). */
  var run_script = function (src, done) {
    var s = document.createElement("script");
    s.src = src;
    s.onload = s.onerror = done;
    document.head.appendChild(s);
  };
  function load(l, kind, i) {
    var key = l + "/" + kind + i;
    if (!loading[key]) loading[key] = new Promise(function (resolve) {
      run_script(root + "search/" + l + "/" + (kind === "meta" ? "meta" : kind + i) + ".js", function () {
        resolve((store[l] || {})[kind + i]);
      });
    });
    return loading[key];
  }
  function shardOf(meta, term) {
    var lo = 0, hi = meta.shards.length - 1;
    if (hi < 0 || term < meta.shards[0]) return -1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (meta.shards[mid] <= term) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function postings(l, meta, term) {
    var i = shardOf(meta, term);
    if (i < 0) return Promise.resolve(null);
    return load(l, "s", i).then(function (shard) { return shard ? { shard: shard, list: shard[term] } : null; });
  }
  /* Ranks documents of one language: most query words matched first, then score. */
  function rank(l, words, typing) {
    return load(l, "meta", 0).then(function (meta) {
      if (!meta || !meta.docs) return [];
      var wanted = [];
      words.forEach(function (w, i) {
        wanted.push({ term: w.folded, word: i, weight: 1 });
        if (w.exact !== w.folded) wanted.push({ term: w.exact, word: i, weight: 1 });
        if (i + 1 < words.length) wanted.push({ term: w.folded + " " + words[i + 1].folded, word: -1, weight: 2 });
      });
      var last = words[words.length - 1];
      return Promise.all(wanted.map(function (t) { return postings(l, meta, t.term); })).then(function (found) {
        var docs = {};
        function count(list, word, weight) {
          for (var j = 0, id = 0; list && j < list.length; j += 2) {
            id += list[j];
            var d = docs[id] = docs[id] || { id: id, score: 0, words: {} };
            d.score += list[j + 1] * weight;
            if (word >= 0) d.words[word] = 1;
          }
        }
        found.forEach(function (f, k) { if (f) count(f.list, wanted[k].word, wanted[k].weight); });
        var lastFound = found[wanted.findIndex(function (t) { return t.word === words.length - 1; })];
        if (typing && last.folded.length > 1 && lastFound) {
          var n = 0;
          for (var term in lastFound.shard) {
            if (term !== last.folded && term.indexOf(last.folded) === 0 && term.indexOf(" ") < 0 && n++ < 20) {
              count(lastFound.shard[term], words.length - 1, 0.5);
            }
          }
        }
        return Object.keys(docs).map(function (k) { return docs[k]; }).sort(function (a, b) {
          return Object.keys(b.words).length - Object.keys(a.words).length || b.score - a.score || a.id - b.id;
        }).map(function (d) { d.chunk = meta.chunk; return d; });
      });
    });
  }
  function details(l, ranked, limit, filter) {
    var out = [], i = 0;
    function next() {
      if (out.length >= limit || i >= ranked.length || i >= 200) return Promise.resolve(out);
      var batch = ranked.slice(i, i + limit); i += limit;
      return Promise.all(batch.map(function (d) { return load(l, "d", Math.floor(d.id / d.chunk)); })).then(function (chunks) {
        batch.forEach(function (d, k) {
          var row = chunks[k] && chunks[k][d.id % d.chunk];
          if (row && out.length < limit && filter(row)) out.push(row);
        });
        return next();
      });
    }
    return next();
  }
  function highlight(el, text, words) {
    var folded = {}, at = 0;
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

  /* Under node (tests): the same ranking over a built index, scripts read from disk. */
  if (typeof module === "object" && module.exports) {
    module.exports = {
      analyze: analyze,
      add: global.hoclieuSearch.add,
      open: function (base, runner) { root = base; run_script = runner; },
      search: function (l, query, limit) {
        var words = analyze(query);
        if (!words.length) return Promise.resolve([]);
        return rank(l, words, false).then(function (r) { return details(l, r, limit, function () { return true; }); });
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
  var status, list;
  if (page) {
    status = document.getElementById("search-status");
    list = document.getElementById("search-results");
  } else {
    var panel = document.createElement("div");
    panel.className = "search-panel";
    status = document.createElement("p");
    status.setAttribute("role", "status");
    list = document.createElement("ol");
    panel.appendChild(status); panel.appendChild(list);
    form.parentNode.insertBefore(panel, form.nextSibling);
  }
  function say(template, count, query) {
    return (template || "").replace("{count}", count).replace("{query}", query);
  }
  var generation = 0;
  function run(typing) {
    var query = input.value, words = analyze(query), mine = ++generation;
    var group = page && page.querySelector("select[name=nhom]"), domain = page && page.querySelector("select[name=linh-vuc]");
    var g = group && group.value !== "" ? +group.value : -1, dm = domain && domain.value !== "" ? +domain.value : -1;
    var filter = function (row) { return (g < 0 || row[4].indexOf(g) >= 0) && (dm < 0 || row[5].indexOf(dm) >= 0); };
    var limit = page ? 10 : 6;
    if (!words.length) { list.textContent = ""; status.textContent = ""; return; }
    var langs = lang === fallback ? [lang] : [lang, fallback];
    Promise.all(langs.map(function (l) {
      return rank(l, words, typing).then(function (r) { return details(l, r, limit, filter); });
    })).then(function (results) {
      if (mine !== generation) return;
      list.textContent = "";
      var seen = {}, total = 0;
      results.forEach(function (rows, k) {
        rows = rows.filter(function (row) { return !seen[row[1]]; });
        if (k > 0 && rows.length) {
          var h = document.createElement("li"); h.className = "search-other"; h.textContent = form.getAttribute("data-other");
          list.appendChild(h);
        }
        rows.forEach(function (row) { seen[row[1]] = 1; total++; list.appendChild(item(row, words)); });
      });
      status.textContent = say(form.getAttribute(total ? "data-found" : "data-none"), total, query.trim());
    });
  }
  var timer;
  function later() { clearTimeout(timer); timer = setTimeout(function () { run(!/\s$/.test(input.value)); }, 200); }
  input.addEventListener("input", later);
  if (page) {
    [].forEach.call(page.querySelectorAll("select"), function (s) { s.addEventListener("change", function () { run(false); }); });
    var q = new URLSearchParams(location.search).get("q");
    if (q) input.value = q;
    page.addEventListener("submit", function (e) { e.preventDefault(); run(false); });
  }
  if (input.value) run(false);
  global.hoclieuSearch.run = run;
})(typeof window === "object" ? window : this);
