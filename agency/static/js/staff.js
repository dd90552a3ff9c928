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

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupCounts);
  else setupCounts();
})();
