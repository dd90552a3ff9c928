/* ClinicMatch: the only script. Loaded with `defer`; no inline JS (CSP).
   - Nav toggle: [data-nav-toggle][aria-controls] opens/closes the nav on small screens.
   - [data-confirm="Message"] on a <form>, <button>, <input type=submit> or <a> asks confirm().
   - [data-select-all="field_name"] checkbox toggles every checkbox named field_name.
   - [data-autosubmit] on a <select>/<input> submits its form on change (filter bars).
   - <details data-fragment="url"> fetches its body from url the first time it is opened
     (the review list's breakdowns); the link already inside is the no-script fallback.
   - .table-wrap / .subnav / .staff-nav that scroll sideways can be scrolled from the keyboard
     (focusable, named), and a bar of links shows its current one. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  /* ---- Navigation toggle ---- */
  function setupNav() {
    var toggle = document.querySelector("[data-nav-toggle]");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!nav) return;

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    }

    setOpen(false);
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
    if (window.matchMedia) {
      var wide = window.matchMedia("(min-width: 48rem)");
      var onChange = function (mq) { if (mq.matches) setOpen(false); };
      if (wide.addEventListener) wide.addEventListener("change", onChange);
      else if (wide.addListener) wide.addListener(onChange);
    }
  }

  /* ---- Confirmation prompts ---- */
  var confirmedForms = typeof WeakSet === "function" ? new WeakSet() : null;

  function setupConfirm() {
    // Buttons and links: ask on click, before the form's submit fires.
    document.addEventListener("click", function (event) {
      var el = event.target.closest && event.target.closest("[data-confirm]");
      if (!el || el.tagName === "FORM") return;
      if (el.disabled) return;
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      // Already confirmed by the button: don't ask again for its form.
      if (el.form && confirmedForms) confirmedForms.add(el.form);
    }, true);

    // Forms: ask on submit (covers Enter in a text field too).
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute || !form.hasAttribute("data-confirm")) return;
      if (confirmedForms && confirmedForms.has(form)) {
        confirmedForms.delete(form);
        return;
      }
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    }, true);
  }

  /* ---- "Select all" checkboxes for bulk tables ---- */
  function boxesFor(master) {
    var name = master.getAttribute("data-select-all");
    var all = document.querySelectorAll('input[type="checkbox"]');
    var out = [];
    for (var i = 0; i < all.length; i++) {
      if (all[i].name === name && all[i] !== master && !all[i].disabled) out.push(all[i]);
    }
    return out;
  }

  function syncMaster(master) {
    var boxes = boxesFor(master);
    var checked = 0;
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) checked++;
    master.checked = boxes.length > 0 && checked === boxes.length;
    master.indeterminate = checked > 0 && checked < boxes.length;
  }

  function setupSelectAll() {
    var masters = document.querySelectorAll("input[type=checkbox][data-select-all]");
    if (!masters.length) return;
    Array.prototype.forEach.call(masters, function (master) {
      syncMaster(master);
      master.addEventListener("change", function () {
        var want = master.checked;
        var boxes = boxesFor(master);
        for (var i = 0; i < boxes.length; i++) {
          if (boxes[i].checked !== want) {
            boxes[i].checked = want;
            boxes[i].dispatchEvent(new Event("change", { bubbles: true }));
          }
        }
        syncMaster(master);
      });
    });
    document.addEventListener("change", function (event) {
      var t = event.target;
      if (!t || t.type !== "checkbox" || t.hasAttribute("data-select-all")) return;
      Array.prototype.forEach.call(masters, function (master) {
        if (master.getAttribute("data-select-all") === t.name) syncMaster(master);
      });
    });
  }

  /* ---- Auto-submit filters ---- */
  function setupAutosubmit() {
    document.addEventListener("change", function (event) {
      var t = event.target;
      if (!t || !t.hasAttribute || !t.hasAttribute("data-autosubmit") || !t.form) return;
      if (typeof t.form.requestSubmit === "function") t.form.requestSubmit();
      else t.form.submit();
    });
  }

  /* ---- Details whose body is fetched when first opened ---- */
  function setupFragments() {
    // `toggle` does not bubble: listen in the capture phase, once for the whole page.
    document.addEventListener("toggle", function (event) {
      var details = event.target;
      if (!details.open || !details.hasAttribute || !details.hasAttribute("data-fragment")) return;
      if (details.getAttribute("data-state")) return;
      var body = details.querySelector(".breakdown-body") || details;
      details.setAttribute("data-state", "loading");
      body.setAttribute("aria-busy", "true");
      fetch(details.getAttribute("data-fragment"), {
        credentials: "same-origin",
        headers: { "Accept": "text/html" }
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      }).then(function (html) {
        body.innerHTML = html;  // our own server's template, escaped by Jinja
        details.setAttribute("data-state", "loaded");
      }).catch(function () {
        // Keep the fallback link; let the next opening try again.
        details.removeAttribute("data-state");
      }).then(function () {
        body.removeAttribute("aria-busy");
      });
    }, true);
  }

  /* ---- Boxes that scroll sideways on a narrow screen ---- */
  function setupScrollBoxes() {
    var boxes = document.querySelectorAll(".table-wrap, .subnav, .staff-nav");
    if (!boxes.length) return;

    function label(box) {
      var caption = box.querySelector("caption");
      if (caption && caption.textContent.trim()) return caption.textContent.trim();
      var nav = box.getAttribute("aria-label");
      return (nav || "Table") + " (scrolls sideways)";
    }

    function update() {
      Array.prototype.forEach.call(boxes, function (box) {
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        box.classList.toggle("is-scrollable", scrolls);
        // A region that scrolls must be reachable by keyboard; a nav's links already are.
        if (box.tagName === "NAV") return;
        if (scrolls && !box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", label(box));
          box.setAttribute("data-scroll-focus", "");
        } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
          box.removeAttribute("data-scroll-focus");
        }
      });
    }

    // The current tab is in view even when it is the fourth of six on a phone (or the staff's
    // twentieth section).
    Array.prototype.forEach.call(document.querySelectorAll(".subnav, .staff-nav"), function (nav) {
      var current = nav.querySelector('[aria-current="page"]');
      if (!current) return;
      var right = current.offsetLeft + current.offsetWidth;
      if (right > nav.clientWidth) nav.scrollLeft = right - nav.clientWidth + 24;
    });
    update();
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 100);
    });
  }

  function init() {
    setupScrollBoxes();
    setupNav();
    setupConfirm();
    setupSelectAll();
    setupAutosubmit();
    setupFragments();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
