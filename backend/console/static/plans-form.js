/* The form that makes an improvement plan (backend/console/plans_page.py; POST /api/plans).
   Prefilled from the dashboard's 制定整改 link (unit, indicator, month). A ratio's target is typed
   as a percentage and sent as the API's fraction; a count's as a whole number. The server checks
   everything again and its Chinese refusal is shown as it is. Every sentence comes from the page's
   config (wording.plans_texts). */
(function () {
  "use strict";

  var el = window.ConsoleDom.el;
  function option(value, text, selected) {
    var o = el("option", { value: value }, text);
    o.selected = !!selected;
    return o;
  }
  /* The last 24 months, newest first, as YYYY-MM. */
  function months(current) {
    var y = +current.slice(0, 4), m = +current.slice(5, 7), out = [];
    for (var i = 0; i < 24; i += 1) {
      var d = new Date(Date.UTC(y, m - 1 - i, 1)), mm = d.getUTCMonth() + 1;
      out.push(d.getUTCFullYear() + "-" + (mm < 10 ? "0" : "") + mm);
    }
    return out;
  }
  function lastDay(month) {
    var d = new Date(Date.UTC(+month.slice(0, 4), +month.slice(5, 7), 0)).getUTCDate();
    return month + "-" + (d < 10 ? "0" : "") + d;
  }

  /* Draw the form into `form`; `done(plan)` after the API made it, `fail(text)` on a refusal. */
  function open(form, config, prefill, done, fail) {
    var T = config.texts, p = prefill || {};
    var isRatio = function (key) { return Object.prototype.hasOwnProperty.call(T.ratioParts, key); };
    form.textContent = "";
    form.hidden = false;
    form.noValidate = true;  // the page says what is missing in words (the browser's bubble is not read out)
    form.appendChild(el("h2", { id: "form-title" }, T.newTitle));
    form.setAttribute("aria-labelledby", "form-title");

    function field(id, label, control, hint) {
      var wrap = el("p", { "class": "field" });
      wrap.appendChild(el("label", { "for": id }, label));
      control.id = id;
      wrap.appendChild(control);
      if (hint) {
        var h = el("span", { id: id + "-hint", "class": "hint" }, hint);
        control.setAttribute("aria-describedby", h.id);
        wrap.appendChild(h);
      }
      form.appendChild(wrap);
      return control;
    }
    function unitSelect(chosen) {
      var s = el("select", {});
      config.units.forEach(function (u) {
        s.appendChild(option(u.id, "\u3000".repeat(+u.depth) + u.name, u.id === chosen));
      });
      return s;
    }

    var indicator = el("select", {});
    config.targets.forEach(function (k) { indicator.appendChild(option(k, T.indicators[k], k === p.indicator)); });
    field("f-indicator", T.indicator, indicator);
    var unit = field("f-unit", T.seenUnit, unitSelect(p.unit || config.units[0].id));
    var month = el("select", {});
    months(config.month).forEach(function (m) { month.appendChild(option(m, m, m === (p.month || config.month))); });
    field("f-month", T.month, month);
    var problem = field("f-problem", T.problem, el("textarea", { rows: "3", maxlength: "1000", required: "" }));
    var op = el("select", {});
    Object.keys(T.ops).forEach(function (k) { op.appendChild(option(k, T.ops[k])); });
    field("f-op", T.target, op);
    var target = field("f-target", T.targetAmount, el("input", { type: "number", step: "any", min: "0", required: "" }), " ");
    var measures = field("f-measures", T.measures, el("textarea", { rows: "4", maxlength: "2000", required: "" }));
    var responsible = field("f-responsible", T.responsible, unitSelect(p.unit || config.units[0].id));
    var due = field("f-due", T.due, el("input", { type: "date", min: config.today, required: "" }));

    function kindChanged() {
      var ratio = isRatio(indicator.value);
      op.value = ratio ? ">=" : "<=";
      target.setAttribute("step", ratio ? "any" : "1");
      document.getElementById("f-target-hint").textContent = ratio ? T.percentHint : T.countHint;
    }
    indicator.addEventListener("change", kindChanged);
    kindChanged();

    var actions = el("p", { "class": "actions" });
    var submit = actions.appendChild(el("button", { type: "submit", id: "f-submit", "class": "primary" }, T.create));
    var cancel = actions.appendChild(el("button", { type: "button", id: "f-cancel" }, T.cancel));
    form.appendChild(actions);
    cancel.addEventListener("click", function () { form.hidden = true; form.textContent = ""; done(null); });

    form.onsubmit = function (event) {
      event.preventDefault();
      var missing = [[problem, T.problem], [target, T.target], [measures, T.measures], [due, T.due]]
        .filter(function (pair) { return !pair[0].value.trim(); })[0];
      if (missing) { fail(window.ConsoleDom.fill(T.required, { field: missing[1] })); missing[0].focus(); return; }
      var raw = Number(target.value), ratio = isRatio(indicator.value);
      if (ratio && !(raw >= 0 && raw <= 100)) { fail(T.percentRange); target.focus(); return; }
      if (!ratio && !(raw >= 0 && Math.floor(raw) === raw)) { fail(T.countWhole); target.focus(); return; }
      var body = {
        indicator: indicator.value, unit: unit.value, from: month.value + "-01", to: lastDay(month.value),
        problem: problem.value, target: ratio ? Math.round(raw * 10000) / 1000000 : raw, target_op: op.value,
        measures: measures.value, responsible_unit: responsible.value, due_date: due.value
      };
      submit.disabled = true;
      window.ConsoleApi.call("POST", config.plans, body, function (status, data) {
        submit.disabled = false;
        if (status === 201) { form.hidden = true; form.textContent = ""; done(data); return; }
        fail(window.ConsoleApi.errorText(status, data, T.errors));
      }, config.login);
    };
    indicator.focus();
  }

  window.PlanForm = { open: open };
}());
