/* Staff workspace: a live "N selected" count on bulk-action bars. No inline JS (CSP). */
(function () {
  "use strict";

  function setupCounts() {
    var bars = document.querySelectorAll("[data-selected-count]");
    Array.prototype.forEach.call(bars, function (out) {
      var name = out.getAttribute("data-selected-count");
      var form = out.closest("form");
      if (!form) return;
      function update() {
        var n = form.querySelectorAll('input[type="checkbox"][name="' + name + '"]:checked').length;
        out.textContent = n === 1 ? "1 selected" : n + " selected";
      }
      form.addEventListener("change", update);
      update();
    });
  }

  // An import's page polls its small JSON progress endpoint until the job is done or failed.
  function setupImportProgress() {
    var box = document.querySelector("[data-import-progress]");
    if (!box) return;
    var url = box.getAttribute("data-import-progress");
    var bar = box.querySelector("progress");
    function show(data) {
      Object.keys(data).forEach(function (key) {
        var out = box.querySelector('[data-field="' + key + '"]');
        if (out) out.textContent = data[key];
      });
      if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    }
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data) show(data);
          if (!data || (data.status !== "done" && data.status !== "failed")) setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    poll();
  }

  function setup() { setupCounts(); setupImportProgress(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
