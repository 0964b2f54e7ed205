/* The dashboard's improvement plans (backend/console/dashboard.py): beside each indicator of the unit
   shown, its value in the month, the plans of the unit's subtree that target it (GET /api/plans with
   the unit and month: status, responsible unit, target and that unit's value in the month) and a
   制定整改 link to the plans page's form prefilled with the unit, indicator and month.
   dashboard.js announces each month it draws ("dashboard:shown", with its own value formatter), so
   the numbers here are written exactly as in its tables. Sentences: config.texts.plans. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("dashboard-config").textContent);
  var T = config.texts, P = T.plans;
  var $ = function (id) { return document.getElementById(id); };
  var seq = 0;

  var el = window.ConsoleDom.el;
  var fill = window.ConsoleDom.fill;
  function isRatio(key) { return Object.prototype.hasOwnProperty.call(T.ratioParts, key); }

  function draw(shown, data, month, plans) {
    /* A plan's value as the dashboard's formatter takes an indicator's: a ratio as {ratio}, a count bare. */
    function value(key, v) { return v === null || v === undefined ? T.noData : shown(key, isRatio(key) ? { ratio: v } : v); }
    var table = $("plans-table");
    table.textContent = "";
    $("plans-title").textContent = fill(P.title, { unit: data.unit.name, month: month });
    $("plans-hint").textContent = P.hint;
    var head = el("tr", {});
    [P.indicator, P.value, P.plans].concat(config.mayPlan ? [P.act] : []).forEach(function (h) {
      head.appendChild(el("th", { scope: "col" }, h));
    });
    table.appendChild(el("thead", {})).appendChild(head);
    var body = table.appendChild(el("tbody", {}));
    config.planTargets.forEach(function (key) {
      var tr = body.appendChild(el("tr", { "data-key": key }));
      tr.appendChild(el("th", { scope: "row" }, T.indicators[key]));
      tr.appendChild(el("td", { "class": "value" }, data.indicators[key] === undefined ? T.noData : shown(key, data.indicators[key])));
      var cell = tr.appendChild(el("td", { "class": "plans" }));
      var mine = plans.filter(function (p) { return p.indicator === key; });
      if (!mine.length) { cell.textContent = P.none; }
      var list = mine.length ? cell.appendChild(el("ul", {})) : null;
      mine.forEach(function (p) {
        var li = list.appendChild(el("li", { "data-plan": p.id, "data-status": p.status }));
        li.appendChild(el("a", { href: config.plansPage + "?" + new URLSearchParams({ plan: p.id }).toString() }, p.id));
        var target = fill(P.target, { op: P.ops[p.target.op], value: value(key, p.target.value) });
        li.appendChild(document.createTextNode(" " + fill(P.line, {
          status: P.statuses[p.status], unit: p.responsible_unit.name, target: target,
          current: p.current ? value(key, p.current.value) : T.noData
        })));
      });
      if (config.mayPlan) {
        var q = new URLSearchParams({ "new": "1", unit: data.unit.id, indicator: key, month: month });
        var a = el("a", { href: config.plansPage + "?" + q.toString(), "class": "button make" }, P.make);
        a.setAttribute("aria-label", fill(P.makeLabel, { name: T.indicators[key] }));
        tr.appendChild(el("td", {})).appendChild(a);
      }
    });
    $("plans-block").setAttribute("data-ready", "true");
  }

  document.addEventListener("dashboard:shown", function (event) {
    var d = event.detail, mine = (seq += 1);
    $("plans-block").removeAttribute("data-ready");
    var q = new URLSearchParams({ unit: d.data.unit.id, month: d.month, limit: "200" });
    window.ConsoleApi.call("GET", config.plans + "?" + q.toString(), null, function (status, answer) {
      if (mine !== seq) { return; }  // another month or unit was asked for since
      if (status !== 200) {
        $("plans-title").textContent = window.ConsoleApi.errorText(status, answer, T.errors);
        return;
      }
      draw(d.shown, d.data, d.month, answer.plans);
    }, config.login);
  });
}());
