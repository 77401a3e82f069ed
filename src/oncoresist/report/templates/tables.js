/* oncoresist report tables: sort, search, show all rows, download CSV / XLSX. Self-contained, no network. */
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

  /* XLSX: a stored (uncompressed) ZIP of the minimal OOXML parts, inline strings, numbers as numbers. */
  var CRC_TABLE = (function () {
    var t = [], c, n, k;
    for (n = 0; n < 256; n++) { c = n; for (k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
    return t;
  })();
  function crc32(bytes) {
    var c = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
  }
  function u16(v) { return [v & 0xFF, (v >>> 8) & 0xFF]; }
  function u32(v) { return [v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, (v >>> 24) & 0xFF]; }
  function zipStored(files) {
    var enc = new TextEncoder(), parts = [], central = [], offset = 0;
    files.forEach(function (f) {
      var name = enc.encode(f[0]), data = enc.encode(f[1]), crc = crc32(data);
      var common = [].concat(u16(20), u16(0x0800), u16(0), u16(0), u16(0x21), u32(crc), u32(data.length), u32(data.length), u16(name.length), u16(0));
      var local = new Uint8Array([].concat(u32(0x04034b50), common));
      parts.push(local, name, data);
      central.push(new Uint8Array([].concat(u32(0x02014b50), u16(20), common, u16(0), u16(0), u16(0), u32(0), u32(offset))), name);
      offset += local.length + name.length + data.length;
    });
    var size = central.reduce(function (s, b) { return s + b.length; }, 0);
    var end = new Uint8Array([].concat(u32(0x06054b50), u16(0), u16(0), u16(files.length), u16(files.length), u32(size), u32(offset), u16(0)));
    return new Blob(parts.concat(central, [end]), { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  }
  function xmlEscape(s) {
    return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function colName(j) { var s = ""; j += 1; while (j > 0) { var m = (j - 1) % 26; s = String.fromCharCode(65 + m) + s; j = Math.floor((j - 1) / 26); } return s; }
  /* XML namespace name of the OOXML parts (an identifier, never fetched) */
  var OOXML = "http://schemas.openxmlformats.org/";
  var NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  function sheetXml(table) {
    var out = [];
    table.querySelectorAll("tr").forEach(function (tr, i) {
      var cells = [];
      tr.querySelectorAll("th,td").forEach(function (c, j) {
        var t = cellText(c), ref = colName(j) + (i + 1);
        var isNum = c.tagName === "TD" && NUMERIC.test(t) && isFinite(Number(t)) && !/^[-+]?0\d/.test(t);
        cells.push(isNum ? '<c r="' + ref + '"><v>' + Number(t) + "</v></c>"
          : '<c r="' + ref + '" t="inlineStr"><is><t xml:space="preserve">' + xmlEscape(t) + "</t></is></c>");
      });
      out.push('<row r="' + (i + 1) + '">' + cells.join("") + "</row>");
    });
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="' + OOXML + 'spreadsheetml/2006/main"><sheetData>' + out.join("") + "</sheetData></worksheet>";
  }
  function xlsxOf(table, sheet) {
    var ns = OOXML, rel = ns + "officeDocument/2006/relationships";
    var head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
    return zipStored([
      ["[Content_Types].xml", head + '<Types xmlns="' + ns + 'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'],
      ["_rels/.rels", head + '<Relationships xmlns="' + ns + 'package/2006/relationships"><Relationship Id="rId1" Type="' + rel + '/officeDocument" Target="xl/workbook.xml"/></Relationships>'],
      ["xl/workbook.xml", head + '<workbook xmlns="' + ns + 'spreadsheetml/2006/main" xmlns:r="' + rel + '"><sheets><sheet name="' + xmlEscape(sheet) + '" sheetId="1" r:id="rId1"/></sheets></workbook>'],
      ["xl/_rels/workbook.xml.rels", head + '<Relationships xmlns="' + ns + 'package/2006/relationships"><Relationship Id="rId1" Type="' + rel + '/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'],
      ["xl/worksheets/sheet1.xml", sheetXml(table)]
    ]);
  }
  function download(blob, filename) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a); a.click(); a.remove();
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
      var x = el("button", "tbl-xlsx", "Download XLSX"); x.type = "button";
      tools.appendChild(x);
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
      var full = wrap.getAttribute("data-print") === "all" || wrap.closest(".print-all");
      if (!full && shown < rows.length) wrap.setAttribute("data-print-note", "Printed " + shown + " of " + rows.length + " rows; the HTML page and its CSV / XLSX download have them all.");
      else wrap.removeAttribute("data-print-note");
    }
    var search = wrap.querySelector(".tbl-search");
    if (search) search.addEventListener("input", function () { query = search.value.trim().toLowerCase(); render(); });
    if (more) more.addEventListener("click", function () { showAll = true; render(); });
    var dl = wrap.querySelector(".tbl-csv");
    var base = wrap.getAttribute("data-name") || "table";
    if (dl) dl.addEventListener("click", function () { download(new Blob([csvOf(table)], { type: "text/csv" }), base + ".csv"); });
    var xl = wrap.querySelector(".tbl-xlsx");
    if (xl) xl.addEventListener("click", function () { download(xlsxOf(table, base.replace(/[\\\/?*\[\]:]/g, "_").slice(0, 31) || "table"), base + ".xlsx"); });
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
  /* print: open every collapsible, restore afterwards */
  var reopened = [];
  function openDetails() {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.setAttribute("open", ""); reopened.push(d); });
  }
  function restoreDetails() { reopened.forEach(function (d) { d.removeAttribute("open"); }); reopened = []; }
  function init() {
    document.querySelectorAll("table.tbl").forEach(setup);
    window.addEventListener("beforeprint", openDetails);
    window.addEventListener("afterprint", restoreDetails);
    document.documentElement.setAttribute("data-tables", "ready");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
