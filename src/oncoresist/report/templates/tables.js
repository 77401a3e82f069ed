/* oncoresist report tables: sort, search, show all rows, download CSV. Self-contained, no network. */
(function () {
  "use strict";
  function cellText(td) { return (td.getAttribute("data-v") || td.textContent || "").trim(); }
  function asNumber(s) {
    if (s === "") return NaN;
    var v = Number(s.replace(/,/g, ""));
    return isFinite(v) ? v : NaN;
  }
  function csvOf(table) {
    var rows = table.querySelectorAll("tr");
    var out = [];
    rows.forEach(function (tr) {
      var cells = [];
      tr.querySelectorAll("th,td").forEach(function (c) {
        var t = cellText(c).replace(/"/g, '""');
        cells.push(/[",\n]/.test(t) ? '"' + t + '"' : t);
      });
      out.push(cells.join(","));
    });
    return out.join("\n") + "\n";
  }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; }
  function wrapTable(table) {
    var wrap = table.closest(".tbl-wrap");
    if (!wrap) {
      wrap = el("div", "tbl-wrap");
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    if (!wrap.querySelector(".tbl-tools")) {
      var tools = el("div", "tbl-tools");
      var search = el("input", "tbl-search");
      search.type = "search"; search.placeholder = "Search this table"; search.setAttribute("aria-label", "Search this table");
      tools.appendChild(search);
      tools.appendChild(el("span", "tbl-count"));
      var b = el("button", "tbl-csv", "Download CSV"); b.type = "button";
      tools.appendChild(b);
      wrap.insertBefore(tools, wrap.firstChild);
      var more = el("button", "tbl-more", "Show all rows"); more.type = "button";
      wrap.appendChild(more);
    }
    return wrap;
  }
  function setup(table) {
    var wrap = wrapTable(table);
    var body = table.tBodies[0];
    if (!body) return;
    var limit = parseInt(wrap.getAttribute("data-limit") || "50", 10);
    var showAll = false;
    var query = "";
    var rows = Array.prototype.slice.call(body.rows);
    var count = wrap.querySelector(".tbl-count");
    var more = wrap.querySelector(".tbl-more");
    function render() {
      var shown = 0, matched = 0;
      rows.forEach(function (tr) {
        var hit = query === "" || tr.textContent.toLowerCase().indexOf(query) >= 0;
        if (hit) matched += 1;
        var visible = hit && (showAll || matched <= limit);
        tr.style.display = visible ? "" : "none";
        if (visible) shown += 1;
      });
      if (count) count.textContent = shown + " of " + matched + " rows" + (query ? " matching" : "");
      if (more) more.style.display = matched > shown ? "" : "none";
      wrap.setAttribute("data-shown", String(shown));
    }
    var search = wrap.querySelector(".tbl-search");
    if (search) search.addEventListener("input", function () { query = search.value.trim().toLowerCase(); render(); });
    if (more) more.addEventListener("click", function () { showAll = true; render(); });
    var dl = wrap.querySelector(".tbl-csv");
    if (dl) dl.addEventListener("click", function () {
      var blob = new Blob([csvOf(table)], { type: "text/csv" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = (wrap.getAttribute("data-name") || "table") + ".csv";
      document.body.appendChild(a); a.click(); a.remove();
    });
    var heads = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1].cells : [];
    Array.prototype.forEach.call(heads, function (th, j) {
      th.classList.add("sortable");
      th.setAttribute("title", "Sort");
      th.addEventListener("click", function () {
        var dir = th.getAttribute("data-sort") === "asc" ? "desc" : "asc";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("data-sort"); });
        th.setAttribute("data-sort", dir);
        var keyed = rows.map(function (tr, i) { var t = cellText(tr.cells[j] || tr); return [t, asNumber(t), i, tr]; });
        var numeric = keyed.every(function (k) { return k[0] === "" || !isNaN(k[1]); });
        keyed.sort(function (a, b) {
          var c;
          if (numeric) {
            var x = isNaN(a[1]) ? Infinity : a[1], y = isNaN(b[1]) ? Infinity : b[1];
            c = x === y ? 0 : (x < y ? -1 : 1);
          } else { c = a[0].localeCompare(b[0]); }
          return (dir === "asc" ? c : -c) || a[2] - b[2];
        });
        rows = keyed.map(function (k) { return k[3]; });
        rows.forEach(function (tr) { body.appendChild(tr); });
        render();
      });
    });
    render();
  }
  function init() { document.querySelectorAll("table.tbl").forEach(setup); document.documentElement.setAttribute("data-tables", "ready"); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
