// trustledger: small enhancements; every page works without this file.
(function () {
  "use strict";
  // Focus the first invalid field after a form is re-rendered with errors.
  document.addEventListener("DOMContentLoaded", function () {
    var bad = document.querySelector("[aria-invalid=true]");
    if (bad) { bad.focus(); }
    // Ask before actions marked data-confirm (e.g. reversing an entry).
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  });
})();
