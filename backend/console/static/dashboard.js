/* The supervisors' dashboard (backend/console/dashboard.py). Every number comes from GET /api/kpi:
   once for the month shown (the child units compared: a bar chart and the assessment table) and once
   per month of the trend (one line chart per chosen indicator, the numbers in a table beside them).
   Numbers whose tickets the ticket list can select (config.drill, from backend/kpi.py) link to
   /console/tickets with that filter. Charts: ECharts, canvas only (no HTML tooltips: the CSP has no
   inline style). Every sentence comes from the server (#dashboard-config). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("dashboard-config").textContent);
  var T = config.texts;
  var $ = function (id) { return document.getElementById(id); };
  var charts = [];
  var state = { unit: config.unit, month: config.month, months: 6, trend: config.trend.slice(), compare: config.compare };
  var RATIOS = Object.keys(T.ratioParts);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }
  function isRatio(key) { return RATIOS.indexOf(key) >= 0; }
  /* Percent decimals: 2, or the indicator's own (config.decimals: supply reliability has 4). */
  function pct(ratio, key) { return ratio === null ? T.noData : (ratio * 100).toFixed((config.decimals || {})[key] || 2) + "%"; }
  function value(v) { return v === null || v === undefined ? null : (typeof v === "object" ? v.ratio : v); }
  function shown(key, v) { return isRatio(key) ? pct(v.ratio, key) : String(v); }

  /* ---- periods ------------------------------------------------------------------ */
  function monthRange(month) {
    var y = +month.slice(0, 4), m = +month.slice(5, 7);
    var last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return { from: month + "-01", to: month + "-" + (last < 10 ? "0" : "") + last };
  }
  function monthsBack(month, n) {
    var y = +month.slice(0, 4), m = +month.slice(5, 7), out = [];
    for (var i = n - 1; i >= 0; i -= 1) {
      var d = new Date(Date.UTC(y, m - 1 - i, 1));
      var mm = d.getUTCMonth() + 1;
      out.push(d.getUTCFullYear() + "-" + (mm < 10 ? "0" : "") + mm);
    }
    return out;
  }

  /* ---- the API ------------------------------------------------------------------ */
  function getKpi(unit, month, done) {
    var r = monthRange(month);
    window.ConsoleApi.call("GET", config.kpi + "?" + new URLSearchParams({ unit: unit, from: r.from, to: r.to }).toString(),
                           null, done, config.login);
  }
  function drillHref(filter, unit, month) {
    var r = monthRange(month), q = new URLSearchParams({ unit: unit, from: r.from, to: r.to });
    Object.keys(filter).forEach(function (k) { q.set(k, filter[k]); });
    return config.tickets + "?" + q.toString();
  }
  /* The filter behind a number: a count's own, or (for a bar) a ratio's denominator. */
  function barFilter(key) { var d = config.drill[key]; return d.count || d.denominator || null; }

  /* ---- the controls --------------------------------------------------------------- */
  function controls() {
    var form = $("controls");
    var unit = el("select", { id: "unit" });
    config.units.forEach(function (u) {
      var o = el("option", { value: u.id }, "\u3000".repeat(+u.depth) + u.name);
      if (u.id === state.unit) { o.selected = true; }
      unit.appendChild(o);
    });
    var month = el("select", { id: "month" });
    monthsBack(config.month, 24).reverse().forEach(function (m) {
      var o = el("option", { value: m }, m);
      if (m === state.month) { o.selected = true; }
      month.appendChild(o);
    });
    var months = el("select", { id: "months" });
    config.trendMonths.forEach(function (n) {
      var o = el("option", { value: String(n) }, String(n));
      if (n === state.months) { o.selected = true; }
      months.appendChild(o);
    });
    var compare = el("select", { id: "compare" });
    config.indicators.forEach(function (k) {
      var o = el("option", { value: k }, T.indicators[k]);
      if (k === state.compare) { o.selected = true; }
      compare.appendChild(o);
    });
    [["unit", unit], ["month", month], ["months", months], ["compare", compare]].forEach(function (pair) {
      var p = el("p", { "class": "field" });
      p.appendChild(el("label", { "for": pair[1].id }, T[pair[0]]));
      p.appendChild(pair[1]);
      form.appendChild(p);
    });
    var set = el("fieldset", { id: "trend-pick" });
    set.appendChild(el("legend", {}, T.chosen));
    config.indicators.forEach(function (k) {
      var label = el("label", {});
      var box = el("input", { type: "checkbox", name: "trend", value: k });
      box.checked = state.trend.indexOf(k) >= 0;
      label.appendChild(box);
      label.appendChild(document.createTextNode(T.indicators[k]));
      set.appendChild(label);
    });
    form.appendChild(set);
    var actions = el("p", { "class": "field actions" });
    actions.appendChild(el("button", { type: "submit", id: "show" }, T.show));
    actions.appendChild(el("a", { id: "export-csv", "class": "button" }, T.exportCsv));
    actions.appendChild(el("a", { id: "export-xlsx", "class": "button" }, T.exportXlsx));
    form.appendChild(actions);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      state.unit = unit.value; state.month = month.value || state.month; state.months = +months.value;
      state.compare = compare.value;
      state.trend = Array.prototype.map.call(set.querySelectorAll("input:checked"), function (b) { return b.value; });
      load();
    });
  }
  function exportLinks() {
    ["csv", "xlsx"].forEach(function (format) {
      var q = new URLSearchParams({ unit: state.unit, month: state.month, format: format });
      $("export-" + format).setAttribute("href", config["export"] + "?" + q.toString());
    });
  }

  /* ---- drawing ---------------------------------------------------------------------- */
  function resetCharts() { charts.forEach(function (c) { c.dispose(); }); charts = []; }
  function chart(node, option) {
    var c = window.echarts.init(node, null, { renderer: "canvas" });
    c.setOption(Object.assign({ animation: false, aria: { enabled: true }, grid: { left: 56, right: 16, top: 24, bottom: 48 },
                                tooltip: { trigger: "axis", renderMode: "richText" } }, option));
    charts.push(c);
    return c;
  }
  function axisFor(key) {
    /* A figure near 100 % (supply reliability) on a 0-100 % axis would be a flat line at the top. */
    if ((config.decimals || {})[key]) { return { type: "value", scale: true, max: 1, axisLabel: { formatter: function (v) { return (v * 100).toFixed(2) + "%"; } } }; }
    return isRatio(key) ? { type: "value", min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } }
                        : { type: "value", minInterval: 1 };
  }
  function numberCell(key, v, unit, month) {
    var td = el("td", {});
    var d = config.drill[key];
    function part(text, filter) {
      if (!filter) { return document.createTextNode(text); }
      var a = el("a", { href: drillHref(filter, unit, month), "class": "drill" }, text);
      a.setAttribute("aria-label", fill(T.drillTo, { what: T.indicators[key] + " " + text }));
      return a;
    }
    if (isRatio(key)) {
      td.appendChild(document.createTextNode(pct(v.ratio, key) + " ("));
      td.appendChild(part(String(v.numerator), d.numerator));
      td.appendChild(document.createTextNode("/"));
      td.appendChild(part(String(v.denominator), d.denominator));
      td.appendChild(document.createTextNode(")"));
    } else {
      td.appendChild(part(String(v), d.count));
    }
    td.setAttribute("data-key", key);
    td.setAttribute("data-value", String(value(v)));
    return td;
  }
  function drawCompare(data) {
    var key = state.compare, rows = [{ unit: data.unit, indicators: data.indicators, total: true }].concat(data.children);
    $("compare-title").textContent = fill(T.compareTitle, { name: T.indicators[key], month: state.month });
    var table = $("compare-table");
    table.textContent = "";
    table.appendChild(el("caption", {}, fill(T.compareTable, { month: state.month, unit: data.unit.name })));
    var head = el("tr", {});
    head.appendChild(el("th", { scope: "col" }, T.unitCol));
    config.indicators.forEach(function (k) { head.appendChild(el("th", { scope: "col" }, T.indicators[k])); });
    table.appendChild(el("thead", {})).appendChild(head);
    var body = table.appendChild(el("tbody", {}));
    rows.forEach(function (row) {
      var tr = el("tr", { "data-unit": row.unit.id });
      tr.appendChild(el("th", { scope: "row" }, row.total ? fill(T.total, { name: row.unit.name }) : row.unit.name));
      config.indicators.forEach(function (k) { tr.appendChild(numberCell(k, row.indicators[k], row.unit.id, state.month)); });
      body.appendChild(tr);
    });
    var node = $("compare-chart");
    if (!data.children.length) { node.textContent = T.noChildren; node.setAttribute("data-empty", "true"); return; }
    node.removeAttribute("data-empty");
    var c = chart(node, {
      xAxis: { type: "category", data: data.children.map(function (x) { return x.unit.name; }), axisLabel: { interval: 0 } },
      yAxis: axisFor(key),
      series: [{ type: "bar", name: T.indicators[key], data: data.children.map(function (x) { return value(x.indicators[key]); }),
                 label: { show: true, position: "top", formatter: function (p) { return p.value === null ? "" : shown(key, isRatio(key) ? { ratio: p.value } : p.value); } } }]
    });
    var filter = barFilter(key);
    if (filter) {
      c.on("click", function (p) { window.location.assign(drillHref(filter, data.children[p.dataIndex].unit.id, state.month)); });
    }
  }
  function drawTrend(months, results) {
    var keys = state.trend, holder = $("trend-charts"), table = $("trend-table");
    $("trend-heading").textContent = fill(T.trendHeading, { n: months.length });
    holder.textContent = ""; table.textContent = "";
    table.appendChild(el("caption", {}, fill(T.trendTable, { n: months.length, unit: results[0].unit.name })));
    var head = el("tr", {});
    head.appendChild(el("th", { scope: "col" }, T.monthCol));
    keys.forEach(function (k) { head.appendChild(el("th", { scope: "col" }, T.indicators[k])); });
    table.appendChild(el("thead", {})).appendChild(head);
    var body = table.appendChild(el("tbody", {}));
    months.forEach(function (m, i) {
      var tr = el("tr", { "data-month": m });
      tr.appendChild(el("th", { scope: "row" }, m));
      keys.forEach(function (k) { tr.appendChild(numberCell(k, results[i].indicators[k], results[i].unit.id, m)); });
      body.appendChild(tr);
    });
    keys.forEach(function (k) {
      var figure = holder.appendChild(el("figure", { "class": "trend" }));
      var id = "trend-title-" + k;
      figure.appendChild(el("figcaption", { id: id }, fill(T.trendTitle, { n: months.length, name: T.indicators[k] })));
      var node = figure.appendChild(el("div", { "class": "chart small", role: "img", "aria-labelledby": id, "data-key": k }));
      chart(node, { xAxis: { type: "category", data: months }, yAxis: axisFor(k),
                    series: [{ type: "line", name: T.indicators[k], connectNulls: false,
                               data: results.map(function (r) { return value(r.indicators[k]); }) }] });
    });
  }

  /* ---- loading ------------------------------------------------------------------------- */
  function failed(status, data) {
    var text = window.ConsoleApi.errorText(status, data, T.errors);
    $("error").textContent = text; $("error").hidden = false;
  }
  function load() {
    $("error").hidden = true;
    if (!state.trend.length) { failed(-1, { error: { message: T.pickOne } }); return; }
    $("status").textContent = T.loading;
    exportLinks();
    resetCharts();
    var months = monthsBack(state.month, state.months), results = new Array(months.length), left = months.length + 1, bad = null;
    function finish() {
      left -= 1;
      if (left > 0) { return; }
      if (bad) { failed(bad[0], bad[1]); $("status").textContent = ""; return; }
      drawTrend(months, results);
      $("status").textContent = fill(T.loaded, { unit: results[0].unit.name, month: state.month });
      document.body.setAttribute("data-ready", "true");
    }
    document.body.removeAttribute("data-ready");
    getKpi(state.unit, state.month, function (status, data) {
      if (status === 200) {
        drawCompare(data);
        /* dashboard-plans.js puts the plans beside these numbers, written with this page's formatter. */
        document.dispatchEvent(new CustomEvent("dashboard:shown", { detail: { data: data, month: state.month, shown: shown } }));
      } else { bad = bad || [status, data]; }
      finish();
    });
    months.forEach(function (m, i) {
      getKpi(state.unit, m, function (status, data) {
        if (status === 200) { results[i] = data; } else { bad = bad || [status, data]; }
        finish();
      });
    });
  }

  $("logout").addEventListener("click", function () {
    var request = new XMLHttpRequest();
    request.open("POST", config.logout);
    request.onloadend = function () { window.location.assign(config.login); };
    request.send();
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  controls();
  load();
}());
