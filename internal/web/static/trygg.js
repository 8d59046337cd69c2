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
