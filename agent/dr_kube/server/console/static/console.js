// DR-Kube console: keeps the incident list current without a reload (polling), and applies the
// filters as soon as one changes. Everything works without it; it only saves a click and a reload.
(function () {
  "use strict";
  var rows = document.getElementById("rows");
  var filters = document.getElementById("filters");
  if (!rows) { return; }
  var every = 5000;

  function refresh() {
    var src = rows.getAttribute("data-src");
    fetch(src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 401) { window.location.assign("/ui/login"); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          rows.innerHTML = html;
          rows.setAttribute("data-updated", String(Date.now()));
        }
      })
      .catch(function () { /* the next tick tries again */ });
  }

  if (filters) {
    filters.addEventListener("change", function () {
      var query = new URLSearchParams(new FormData(filters));
      Array.from(query.keys()).forEach(function (k) { if (!query.get(k)) { query.delete(k); } });
      var q = query.toString();
      window.history.replaceState(null, "", "/ui" + (q ? "?" + q : ""));
      rows.setAttribute("data-src", "/ui/rows" + (q ? "?" + q : ""));
      refresh();
    });
  }
  window.setInterval(refresh, every);
}());
