/* Tongxin page behaviour. The Content-Security-Policy allows no inline script or event handler, so every
   interactive bit is declared with data- attributes in the templates and handled here by delegation
   (which also covers content htmx swaps in later). */
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option sends its form (a <noscript> button does without JS).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  // <input type=checkbox data-check-all="CSS selector">: ticks or clears every enabled box it names.
  // Age-out: data-select="all" ticks everything, data-select="group" the boxes of its data-group.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches) return;
    var selector = null;
    if (box.matches("input[data-check-all]")) {
      selector = box.getAttribute("data-check-all");
    } else if (box.matches("input[data-select]")) {
      selector = box.dataset.select === "all"
        ? 'input[name="person_ids"], input[data-select="group"]'
        : 'input[name="person_ids"][data-group="' + box.dataset.group + '"]';
    }
    if (!selector) return;
    document.querySelectorAll(selector).forEach(function (other) {
      if (other !== box && !other.disabled) other.checked = box.checked;
    });
  });

  // [data-confirm="question"]: the click goes ahead only when the user confirms; the form then says so
  // (_confirmed=1), so the server does not ask the same question again (tongxin/core/confirm.py asks it
  // when the page runs without this script).
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-confirm]");
    if (!el) return;
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var form = el.form;
    if (form && !form.querySelector('input[name="_confirmed"]')) {
      var mark = document.createElement("input");
      mark.type = "hidden";
      mark.name = "_confirmed";
      mark.value = "1";
      form.appendChild(mark);
    }
  }, true);

  // <a data-follow-search>: after an htmx search changed the address bar, the link takes its query
  // (without the page cursor); data-follow-search="full=1" adds that parameter.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-follow-search]");
    if (!link) return;
    var query = new URLSearchParams(window.location.search);
    query.delete("cursor");
    var extra = new URLSearchParams(link.getAttribute("data-follow-search") || "");
    extra.forEach(function (value, key) { query.set(key, value); });
    link.search = query.toString();
  });

  // [data-tx-width="42%"]: a progress bar's width (a style attribute would need 'unsafe-inline').
  function applyWidths(root) {
    var nodes = root.querySelectorAll ? root.querySelectorAll("[data-tx-width]") : [];
    var all = root.matches && root.matches("[data-tx-width]") ? [root].concat(Array.from(nodes)) : Array.from(nodes);
    all.forEach(function (el) {
      var value = (el.getAttribute("data-tx-width") || "").trim();
      if (/^\d+(\.\d+)?%$/.test(value)) el.style.width = value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applyWidths(document); });
  document.addEventListener("htmx:load", function (event) { applyWidths(event.detail.elt); });
})();
