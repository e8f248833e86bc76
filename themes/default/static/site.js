/* hoclieu: small enhancements only; every page reads and navigates without this file. */
(function () {
  var KEY = "hoclieu.textsize", root = document.documentElement;
  var sizes = [100, 112.5, 125, 150, 175, 200];
  function get() { try { return +localStorage.getItem(KEY) || 1; } catch (e) { return 1; } }
  function set(i) {
    i = Math.max(0, Math.min(sizes.length - 1, i));
    root.style.fontSize = sizes[i] + "%";
    try { localStorage.setItem(KEY, i); } catch (e) {}
    return i;
  }
  var current = set(get());
  var box = document.querySelector(".textsize");
  if (!box) return;
  box.hidden = false;
  box.addEventListener("click", function (event) {
    var step = event.target.closest("button");
    if (step) current = set(current + (+step.value));
  });
})();
/* Header: search and menu open below it; opening one closes the other, the search box
   takes the focus, Escape closes and gives the focus back (without this they still open). */
(function () {
  var boxes = document.querySelectorAll(".site-header details");
  [].forEach.call(boxes, function (d) {
    d.addEventListener("toggle", function () {
      if (!d.open) return;
      [].forEach.call(boxes, function (o) { if (o !== d) o.open = false; });
      var input = d.querySelector("input");
      if (input) input.focus();
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    [].forEach.call(boxes, function (d) {
      if (d.open) { d.open = false; d.querySelector("summary").focus(); }
    });
  });
})();
/* Progress without accounts: lessons marked learned are kept in this browser only. */
(function () {
  var KEY = "hoclieu.learned", done;
  try { done = JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return; }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(done)); } catch (e) {} }
  var box = document.querySelector(".learned");
  if (box) {
    var button = box.querySelector("button"), id = box.getAttribute("data-lesson");
    var show = function () {
      var on = !!done[id];
      button.setAttribute("aria-pressed", on);
      button.textContent = button.getAttribute(on ? "data-on" : "data-off");
    };
    box.hidden = false;
    show();
    button.addEventListener("click", function () {
      if (done[id]) delete done[id]; else done[id] = 1;
      save();
      show();
    });
  }
  [].forEach.call(document.querySelectorAll("li[data-lesson]"), function (li) {
    if (done[li.getAttribute("data-lesson")]) li.className += " done";
  });
  [].forEach.call(document.querySelectorAll(".progress[data-lessons]"), function (p) {
    var ids = p.getAttribute("data-lessons").split(" ").filter(Boolean);
    var n = ids.filter(function (id) { return done[id]; }).length;
    p.textContent = p.getAttribute("data-template").replace("{done}", n).replace("{total}", ids.length);
    p.hidden = false;
  });
})();
/* Quizzes: score, mark each question in words, keep the last result (answers are in
   each question's <details> without this). */
(function () {
  [].forEach.call(document.querySelectorAll(".quiz"), function (quiz) {
    var d = quiz.dataset, form = quiz.querySelector("form"), out = quiz.querySelector(".quiz-score");
    var key = "hoclieu.quiz:" + location.pathname + "#" + quiz.id, last;
    function show(r, prefix) { out.textContent = prefix + d.result.replace("{right}", r[0]).replace("{total}", r[1]); }
    try { last = JSON.parse(localStorage.getItem(key)); if (last[1]) show(last, d.last + ": "); } catch (e) {}
    form.querySelector("button").hidden = false;
    form.onsubmit = function (event) {
      var sets = form.querySelectorAll("fieldset"), right = 0;
      event.preventDefault();
      [].forEach.call(sets, function (set) {
        var ok = [].map.call(set.querySelectorAll(":checked"), function (i) { return i.value; }).join(" ") == set.dataset.answer;
        var mark = set.querySelector(".quiz-mark") || set.insertBefore(document.createElement("p"), set.querySelector("details"));
        right += ok;
        set.className = "quiz-q quiz-" + (ok ? "right" : "wrong");
        mark.className = "quiz-mark";
        mark.textContent = ok ? d.right : d.wrong;
      });
      show(last = [right, sets.length], "");
      try { localStorage.setItem(key, JSON.stringify(last)); } catch (e) {}
    };
  });
})();
/* Search: the index script loads only when a search box is used (or on the search page). */
(function () {
  var form = document.querySelector("form[data-search]"), loaded;
  if (!form) return;
  function load() {
    if (loaded) return;
    loaded = 1;
    var s = document.createElement("script");
    s.src = form.getAttribute("data-script");
    document.head.appendChild(s);
  }
  form.addEventListener("focusin", load);
  if (document.getElementById("search-page")) load();
})();
/* Offline, over HTTP only: sw.js keeps pages, offline.js runs the save button. */
(function () {
  var sw = navigator.serviceWorker, box = document.querySelector(".offline");
  if (!/^https?:$/.test(location.protocol) || !sw) return;
  sw.register(new URL("../sw.js", document.currentScript.src)).catch(Boolean);
  if (box) document.head.appendChild(document.createElement("script")).src = box.getAttribute("data-script");
})();
/* Data saver ("Tiết kiệm dữ liệu"): when the browser asks to save data (Save-Data) or the
   learner turns it on in the menu (kept in this browser), images over 30 KB wait behind a
   button showing their size. Without this file every image loads as usual. */
(function () {
  var KEY = "hoclieu.saver", LIMIT = 30000, box = document.querySelector(".saver");
  if (!box) return;
  var check = box.querySelector("input");
  function stored() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }
  function on() {
    var s = stored(), c = navigator.connection;
    return s !== null ? s === "1" : !!(c && c.saveData);
  }
  function size(b) { return b >= 1e6 ? (b / 1e6).toFixed(1) + " MB" : Math.round(b / 1e3) + " KB"; }
  function show(img) {
    if (img.dataset.srcset) img.srcset = img.dataset.srcset;
    if (img.dataset.src) img.src = img.dataset.src;
    img.hidden = false;
    var b = img.previousElementSibling;
    if (b && b.className === "img-hold") b.parentNode.removeChild(b);
  }
  function hold(img) {
    if (+img.dataset.bytes <= LIMIT || (img.complete && img.naturalWidth) || img.dataset.src) return;
    img.dataset.srcset = img.getAttribute("srcset") || "";
    img.dataset.src = img.getAttribute("src");
    img.removeAttribute("srcset");
    img.removeAttribute("src");
    img.hidden = true;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "img-hold";
    b.textContent = box.getAttribute("data-hold").replace("{size}", size(+img.dataset.bytes)) + (img.alt ? ": " + img.alt : "");
    b.addEventListener("click", function () { show(img); });
    img.parentNode.insertBefore(b, img);
  }
  function apply(saving) {
    [].forEach.call(document.querySelectorAll("img[data-bytes]"), function (img) {
      if (saving) hold(img); else if (img.hidden) show(img);
    });
  }
  box.hidden = false;
  check.checked = on();
  apply(check.checked);
  check.addEventListener("change", function () {
    try { localStorage.setItem(KEY, check.checked ? "1" : "0"); } catch (e) {}
    apply(check.checked);
  });
})();
