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
    // A progress bar marked data-poll (a roster import) follows its JSON
    // status; when the work ends, the page reloads to show the result.
    // Without this script the page reloads itself (a <noscript> refresh).
    browserZone();
    var bar = document.querySelector("progress[data-poll]");
    if (bar && window.fetch) { poll(bar); } else if (bar) { window.setTimeout(function () { window.location.reload(); }, 1000); }
  });
  // The browser's time zone: it fills the hidden field of the forms that
  // make an account (empty, the account starts in UTC), and the account
  // page offers it beside the zone field.
  function browserZone() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    if (!zone) { return; }
    document.querySelectorAll("input[data-browser-zone]").forEach(function (i) {
      if (!i.value) { i.value = zone; }
    });
    var field = document.querySelector("input[data-zone-field]");
    var hint = document.getElementById("zone-browser");
    if (!field || !hint || field.value === zone) { return; }
    hint.textContent = "This browser is set to " + zone + ". ";
    var use = document.createElement("button");
    use.type = "button";
    use.className = "link";
    use.textContent = "Use it";
    use.addEventListener("click", function () { field.value = zone; field.focus(); });
    hint.appendChild(use);
    hint.hidden = false;
  }
  function poll(bar) {
    var text = document.getElementById(bar.getAttribute("aria-describedby"));
    function tick() {
      fetch(bar.getAttribute("data-poll"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error("status " + r.status); } return r.json(); })
        .then(function (s) {
          if (s.ended) { window.location.reload(); return; }
          bar.value = s.percent;
          bar.textContent = s.percent + "%";
          if (text) { text.textContent = "Importing… " + s.done + " of " + (s.total || "the") + " lines."; }
          window.setTimeout(tick, 500);
        })
        .catch(function () { window.setTimeout(function () { window.location.reload(); }, 2000); });
    }
    window.setTimeout(tick, 500);
  }
})();
