// trygg.js: keeps what an officer types while a form's autosave is on its
// way. A form with data-autosave is saved by htmx as it is filled in, and
// the server's answer (the form re-evaluated: fields shown or hidden,
// computed values, messages) replaces it. If the officer typed more while
// the save was in flight, that answer is stale: it is dropped, and the
// next save (htmx sends it after the typing) brings a fresh one.
(function () {
  "use strict";
  function form(el) {
    return el && el.closest ? el.closest("form[data-autosave]") : null;
  }
  function edited(e) {
    var f = form(e.target);
    if (f) f.dataset.edits = String((Number(f.dataset.edits) || 0) + 1);
  }
  document.addEventListener("input", edited, true);
  document.addEventListener("change", edited, true);
  document.addEventListener("htmx:configRequest", function (e) {
    var f = form(e.detail.elt);
    if (f) f.dataset.sent = f.dataset.edits || "0";
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    var f = form(e.detail.requestConfig && e.detail.requestConfig.elt);
    if (f && f.dataset.sent !== (f.dataset.edits || "0")) e.detail.shouldSwap = false;
  });
})();

// A number typed beside choices (data-instead-of names the radio buttons
// it stands in for): typing it clears the choice, choosing clears it, and
// its steppers (buttons with data-step beside it, shown only when this
// script runs) count on from the choice, so "30 min" and "+5 min" give 35.
(function () {
  "use strict";
  function typed(el) {
    var box = el.closest ? el.closest(".stepper") : null;
    return box ? box.querySelector("input[data-instead-of]") : null;
  }
  function choices(input) {
    return input.form ? input.form.querySelectorAll('input[type="radio"][name="' + input.getAttribute("data-instead-of") + '"]') : [];
  }
  document.querySelectorAll(".stepper [data-step]").forEach(function (b) { b.hidden = false; });
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (t.matches && t.matches("input[data-instead-of]") && t.value !== "") {
      choices(t).forEach(function (r) { r.checked = false; });
    }
  });
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (!t.matches || !t.matches('input[type="radio"]') || !t.form) return;
    t.form.querySelectorAll('input[data-instead-of="' + t.name + '"]').forEach(function (i) { i.value = ""; });
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("[data-step]") : null;
    var input = b && typed(b);
    if (!input) return;
    var n = parseInt(input.value, 10);
    if (isNaN(n)) {
      n = 0;
      choices(input).forEach(function (r) { if (r.checked && r.value) n = parseInt(r.value, 10) || 0; });
    }
    n = Math.max(Number(input.min) || 1, Math.min(Number(input.max) || 1440, n + Number(b.getAttribute("data-step"))));
    input.value = String(n);
    choices(input).forEach(function (r) { r.checked = false; });
  });
})();

// Reports a phone keeps while it has no network. A form with
// data-outbox-form, on a page with the outbox (an element with
// data-outbox naming the signed-in user), is sent with fetch and its
// answer shown in place of the page, as its own submission would. If no
// answer comes (no network, or none within 20 seconds) or the server is
// unavailable, the report is kept in the phone's storage, the status
// region (data-outbox-status) says so, and it is sent again when the
// network returns, every 30 seconds, and whenever a page with the outbox
// opens. The form's key (the provider batches' idempotency key) makes a
// report sent twice count once. When kept reports have been sent, the
// page goes to the outbox's data-sent address with ?sent=N (and
// &refused=N for any the server refused). A report is only ever sent by
// the pages of the user who made it.
(function () {
  "use strict";
  var STORE = "trygg.outbox";
  var sending = false; // a report is on its way: no second sending of it meanwhile
  function box() { return document.querySelector("[data-outbox]"); }
  function user() { var b = box(); return b ? b.getAttribute("data-outbox") : ""; }
  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (e) { return []; }
  }
  function save(list) {
    try { localStorage.setItem(STORE, JSON.stringify(list)); } catch (e) { /* storage full or off: nothing to keep it in */ }
  }
  function same(a, b) { return a.user === b.user && a.key === b.key && a.url === b.url; }
  function keep(entry) { save(load().filter(function (e) { return !same(e, entry); }).concat([entry])); }
  function drop(entry) { save(load().filter(function (e) { return !same(e, entry); })); }
  function waiting() {
    var s = document.querySelector("[data-outbox-status]");
    var b = box();
    if (s && b && s.textContent !== b.getAttribute("data-waiting")) {
      s.className = "outbox-status notice pending";
      s.textContent = b.getAttribute("data-waiting");
      if (s.scrollIntoView) s.scrollIntoView({ block: "center" });
    }
  }
  // post sends a kept report; it rejects if no answer comes in 20 s.
  function post(entry) {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, 20000);
    return fetch(entry.url, {
      method: "POST", body: entry.body, credentials: "same-origin", redirect: "manual", signal: ctl.signal,
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).finally(function () { clearTimeout(timer); });
  }
  // taken is whether the server has taken the report (saved or refused
  // it): a redirect (the session ended) or an unavailable server has not.
  function taken(res) { return res.type !== "opaqueredirect" && res.status > 0 && res.status < 500; }
  // show puts the answer's page in place of this one.
  function show(res) {
    return res.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      document.title = doc.title;
      document.body.replaceWith(document.adoptNode(doc.body));
      var loc = res.headers.get("Content-Location");
      if (loc) history.replaceState(null, "", loc);
      window.scrollTo(0, 0);
      var main = document.getElementById("main");
      if (main) main.focus();
      if (window.htmx) window.htmx.process(document.body);
    });
  }
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.matches || !f.matches("form[data-outbox-form]") || !user() || !window.fetch) return;
    e.preventDefault();
    var entry = {
      user: user(), url: f.action, key: f.elements.key ? f.elements.key.value : "",
      body: new URLSearchParams(new FormData(f)).toString()
    };
    if (sending) return;
    keep(entry);
    sending = true;
    var buttons = f.querySelectorAll('button[type="submit"]');
    buttons.forEach(function (b) { b.disabled = true; });
    post(entry).then(function (res) {
      sending = false;
      if (res.type === "opaqueredirect") { location.reload(); return; } // signed out: sign in, then it is sent
      if (!taken(res)) throw new Error("unavailable");
      drop(entry);
      return show(res);
    }).catch(function () {
      sending = false;
      buttons.forEach(function (b) { b.disabled = false; });
      waiting();
    });
  });
  function flush() {
    var u = user();
    if (!u || sending || navigator.onLine === false) {
      if (u && load().some(function (e) { return e.user === u; })) waiting();
      return;
    }
    var mine = load().filter(function (e) { return e.user === u; });
    if (!mine.length) return;
    sending = true;
    var sent = 0, refused = 0;
    function done() {
      sending = false;
      if (!sent && !refused) { waiting(); return; }
      location.assign(box().getAttribute("data-sent") + "?sent=" + sent + (refused ? "&refused=" + refused : ""));
    }
    (function next(i) {
      if (i === mine.length) { done(); return; }
      post(mine[i]).then(function (res) {
        if (!taken(res)) { done(); return; }
        drop(mine[i]);
        if (res.ok) sent += Number(res.headers.get("Trygg-Saved")) || 1; else refused++;
        next(i + 1);
      }, done);
    })(0);
  }
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  flush();
})();

// The decision page: a decision that is not fully granted starts with the
// standard appeal notice of its legal basis. The texts are in the appeal
// field's data-appeal-texts; when the officer changes the outcome or the
// legal basis, a field that is empty or holds a standard text follows
// (the standard text of the basis, or nothing for a full grant); a text
// the officer wrote is left alone. The server does the same on saving.
(function () {
  "use strict";
  function follow(f) {
    var area = f.querySelector("textarea[data-appeal-texts]");
    if (!area) return;
    var texts;
    try { texts = JSON.parse(area.getAttribute("data-appeal-texts")); } catch (err) { return; }
    var current = area.value.trim();
    var standard = current === "";
    Object.keys(texts).forEach(function (k) { if (texts[k].trim() === current) standard = true; });
    if (!standard) return;
    var outcome = f.querySelector("input[name=outcome]:checked");
    var basis = f.querySelector("select[name=legal_basis]");
    var granted = !outcome || outcome.value === "granted";
    area.value = granted ? "" : (texts[basis ? basis.value : ""] || "");
  }
  document.addEventListener("change", function (e) {
    var f = e.target && e.target.closest ? e.target.closest("form[data-appeal-form]") : null;
    if (f && (e.target.name === "outcome" || e.target.name === "legal_basis")) follow(f);
  });
})();

// The process designer's editor (a textarea with data-line-numbers): the
// line numbers beside it (.designer-gutter) follow as lines are added, and
// the editor grows with its text, so it never scrolls inside and the
// numbers stay in line. A link to a problem in it (a.designer-goto with
// data-line and data-column) puts the caret there, selects the word it
// points at and brings the line into view; the editor's data-goto does
// the same for a line when the page opens. A unit's button (data-insert,
// shown only when this script runs) puts the unit's id at the caret, in
// place of what is selected.
(function () {
  "use strict";
  function editor() {
    return document.querySelector("textarea[data-line-numbers]");
  }
  function refresh(t) {
    var rows = Math.max(t.value.split("\n").length + 1, 12);
    if (t.rows !== rows) t.rows = rows;
    var g = t.parentNode.querySelector(".designer-gutter");
    if (!g || g.textContent.split("\n").length === rows) return;
    var n = [];
    for (var i = 1; i <= rows; i++) n.push(i);
    g.textContent = n.join("\n");
  }
  function goTo(t, line, column, select) {
    var lines = t.value.split("\n");
    line = Math.min(Math.max(line || 1, 1), lines.length);
    var start = 0;
    for (var i = 0; i < line - 1; i++) start += lines[i].length + 1;
    var text = lines[line - 1];
    var col = Math.min(Math.max((column || 1) - 1, 0), text.length);
    var word = select ? /^[\w\u00c0-\u024f.-]*/.exec(text.slice(col))[0] : "";
    t.focus({ preventScroll: true });
    t.setSelectionRange(start + col, start + col + word.length);
    var style = getComputedStyle(t);
    var lh = parseFloat(style.lineHeight) || 20;
    var y = t.getBoundingClientRect().top + window.scrollY + parseFloat(style.paddingTop) + (line - 1) * lh;
    window.scrollTo({ top: Math.max(y - window.innerHeight * 0.45, 0) });
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("textarea[data-line-numbers]")) refresh(e.target);
  });
  document.addEventListener("click", function (e) {
    var t = editor();
    if (!t || !e.target.closest) return;
    var a = e.target.closest("a.designer-goto[data-line]");
    if (a && a.getAttribute("href") === "#" + t.id) {
      e.preventDefault();
      goTo(t, Number(a.dataset.line), Number(a.dataset.column), true);
      return;
    }
    var b = e.target.closest("button[data-insert]");
    if (b) {
      t.focus({ preventScroll: true });
      t.setRangeText(b.dataset.insert, t.selectionStart, t.selectionEnd, "end");
      t.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  function init() {
    var t = editor();
    if (!t) return;
    document.querySelectorAll("button[data-insert]").forEach(function (b) { b.hidden = false; });
    refresh(t);
    if (t.dataset.goto) goTo(t, Number(t.dataset.goto), 1, false);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
