/* Improvement plans (backend/console/plans_page.py): the list of the caller's subtree (status in
   words, due date), one plan's detail with its progress, and the buttons the API's `may` offers
   (记录进展, 完成整改, 撤销计划), each with its note. The form that makes a plan is plans-form.js.
   Every sentence comes from the page's config (wording.plans_texts); values are shown as the
   dashboard shows them (a ratio as a percentage with config.decimals' digits, else 2). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("plans-config").textContent);
  var T = config.texts;
  var $ = function (id) { return document.getElementById(id); };
  var state = { status: "", indicator: "", unit: "", open: config.open };

  var el = window.ConsoleDom.el;
  var fill = window.ConsoleDom.fill;
  function isRatio(key) { return Object.prototype.hasOwnProperty.call(T.ratioParts, key); }
  function shown(key, value) {
    if (value === null || value === undefined) { return T.noValue; }
    return isRatio(key) ? (value * 100).toFixed((config.decimals || {})[key] || 2) + "%" : String(value);
  }
  function measured(key, m) {
    var text = shown(key, m.value);
    return isRatio(key) && m.denominator !== null ? text + "（" + m.numerator + "/" + m.denominator + "）" : text;
  }
  function target(plan) { return fill(T.targetValue, { op: T.ops[plan.target.op], value: shown(plan.indicator, plan.target.value) }); }
  function announce(text) { $("announce").textContent = text; }
  function failed(text) { $("error").textContent = text; $("error").hidden = false; }
  function failedCall(status, data) { failed(window.ConsoleApi.errorText(status, data, T.errors)); }

  /* ---- the list ------------------------------------------------------------------ */
  function filters() {
    var form = $("filters");
    function select(id, label, choices, none) {
      var wrap = el("label", {}, label), s = el("select", { id: id });
      s.appendChild(el("option", { value: "" }, none));
      choices.forEach(function (c) { s.appendChild(el("option", { value: c[0] }, c[1])); });
      wrap.appendChild(s);
      form.appendChild(wrap);
      return s;
    }
    var status = select("filter-status", T.status, Object.keys(T.statuses).map(function (k) { return [k, T.statuses[k]]; }), T.anyStatus);
    var indicator = select("filter-indicator", T.indicator, config.targets.map(function (k) { return [k, T.indicators[k]]; }), T.anyIndicator);
    var unit = select("filter-unit", T.unitFilter, config.units.map(function (u) { return [u.id, "\u3000".repeat(+u.depth) + u.name]; }), "");
    unit.firstChild.remove();
    form.appendChild(el("button", { type: "submit" }, T.apply));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      state.status = status.value; state.indicator = indicator.value; state.unit = unit.value;
      loadList();
    });
  }
  function loadList() {
    var q = new URLSearchParams({ limit: "200" });
    ["status", "indicator", "unit"].forEach(function (k) { if (state[k]) { q.set(k, state[k]); } });
    $("status").textContent = T.loading;
    window.ConsoleApi.call("GET", config.plans + "?" + q.toString(), null, function (status, data) {
      $("status").textContent = "";
      if (status !== 200) { failedCall(status, data); return; }
      drawList(data.plans);
      document.body.setAttribute("data-list-ready", "true");
    }, config.login);
  }
  function drawList(plans) {
    var list = $("list");
    list.textContent = "";
    if (!plans.length) { list.appendChild(el("li", { "class": "empty" }, T.empty)); return; }
    plans.forEach(function (plan) {
      var li = el("li", {});
      var b = el("button", { type: "button", "class": "conv item status-" + plan.status, "data-plan": plan.id });
      if (plan.id === state.open) { b.setAttribute("aria-current", "true"); }
      var row = b.appendChild(el("span", { "class": "row" }));
      row.appendChild(el("span", { "class": "no" }, plan.id));
      row.appendChild(el("span", { "class": "st plan-status " + plan.status }, T.statuses[plan.status]));
      b.appendChild(el("span", { "class": "row small" }, T.indicators[plan.indicator] + " · " + plan.responsible_unit.name));
      b.appendChild(el("span", { "class": "row small" }, T.due + "：" + fill(T.dueValue, { date: plan.due_date })));
      b.addEventListener("click", function () { openPlan(plan.id); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  /* ---- one plan ------------------------------------------------------------------ */
  function openPlan(number) {
    state.open = number;
    $("error").hidden = true;
    window.history.replaceState(null, "", "?" + new URLSearchParams({ plan: number }).toString());
    Array.prototype.forEach.call(document.querySelectorAll("#list [data-plan]"), function (b) {
      if (b.getAttribute("data-plan") === number) { b.setAttribute("aria-current", "true"); } else { b.removeAttribute("aria-current"); }
    });
    window.ConsoleApi.call("GET", config.plans + "/" + encodeURIComponent(number), null, function (status, data) {
      if (status !== 200) { failedCall(status, data); return; }
      drawPlan(data);
    }, config.login);
  }
  function by(person, at) { return fill(T.by, { name: person ? person.name : "", time: (at || "").replace("T", " ").slice(0, 16) }); }
  function drawPlan(plan) {
    var view = $("detail"), key = plan.indicator;
    $("pick").hidden = true; $("plan-form").hidden = true;
    view.hidden = false; view.textContent = "";
    view.setAttribute("data-plan", plan.id); view.setAttribute("data-status", plan.status);
    var head = view.appendChild(el("div", { "class": "head" }));
    head.appendChild(el("h2", { id: "plan-title" }, plan.id + " " + T.indicators[key]));
    head.appendChild(el("p", { "class": "state plan-status " + plan.status, id: "plan-status" }, T.statuses[plan.status]));
    function verdict(m) { return measured(key, m) + (m.met === null ? "" : "，" + (m.met ? T.met : T.notMet)); }
    var dl = view.appendChild(el("dl", { "class": "facts" }));
    function fact(label, text, id) {
      dl.appendChild(el("dt", {}, label));
      dl.appendChild(el("dd", id ? { id: id } : {}, text));
    }
    fact(T.seenUnit, plan.unit.name);
    fact(T.period, fill(T.range, { from: plan.period.from, to: plan.period.to }));
    fact(T.problem, plan.problem);
    fact(T.baseline, measured(key, plan.baseline));
    fact(T.target, target(plan), "plan-target");
    if (plan.current) { fact(fill(T.current, plan.current.period), verdict(plan.current), "plan-current"); }
    fact(T.measures, plan.measures);
    fact(T.responsible, plan.responsible_unit.name);
    fact(T.due, fill(T.dueValue, { date: plan.due_date }) + (plan.status === "overdue" ? "，" + T.overdueMark : ""));
    fact(T.createdBy, by(plan.created_by, plan.created_at));
    var link = view.appendChild(el("p", {}));
    link.appendChild(el("a", { href: config.dashboard + "?" + new URLSearchParams({ unit: plan.responsible_unit.id }).toString(),
                               id: "to-dashboard" }, T.toDashboard));
    view.appendChild(el("h3", {}, T.progress));
    var list = view.appendChild(el("ol", { "class": "history", id: "progress" }));
    if (!plan.progress.length) { list.appendChild(el("li", { "class": "empty" }, T.noProgress)); }
    plan.progress.forEach(function (e) {
      var li = list.appendChild(el("li", {}));
      li.appendChild(el("span", { "class": "by" }, by(e.by, e.at)));
      li.appendChild(el("span", { "class": "detail" }, e.note));
    });
    function section(title, id, facts) {
      view.appendChild(el("h3", {}, title));
      var box = view.appendChild(el("dl", { "class": "facts", id: id }));
      facts.forEach(function (pair) { box.appendChild(el("dt", {}, pair[0])); box.appendChild(el("dd", {}, pair[1])); });
    }
    if (plan.completion) {
      var c = plan.completion;
      section(T.completion, "completion", [[T.completionNote, c.note], [fill(T.completedValue, c.period), verdict(c)],
                                           [T.completedBy, by(c.by, c.at)]]);
    }
    if (plan.withdrawal) {
      section(T.withdrawal, "withdrawal", [[T.withdrawReason, plan.withdrawal.reason],
                                           [T.withdrawnBy, by(plan.withdrawal.by, plan.withdrawal.at)]]);
    }
    drawActs(view, plan);
  }
  function drawActs(view, plan) {
    view.appendChild(el("h3", {}, T.acts));
    var acts = [["progress", T.addProgress, T.note, "note", T.afterProgress], ["complete", T.complete, T.completionNote, "note", T.afterComplete],
                ["withdraw", T.withdraw, T.withdrawReason, "reason", T.afterWithdraw]].filter(function (a) { return plan.may[a[0]]; });
    var bar = view.appendChild(el("p", { "class": "actions", id: "acts" }));
    if (!acts.length) { bar.textContent = T.noActs; return; }
    acts.forEach(function (a) {
      var button = bar.appendChild(el("button", { type: "button", id: "act-" + a[0] }, a[1]));
      button.addEventListener("click", function () { actForm(view, plan, a); });
    });
  }
  function actForm(view, plan, a) {
    var old = $("act-form");
    if (old) { old.remove(); }
    var form = view.appendChild(el("form", { id: "act-form", "class": "step-form", novalidate: "" }));
    var label = form.appendChild(el("label", { "for": "act-text" }, a[2]));
    var text = label.appendChild(el("textarea", { id: "act-text", rows: "3", maxlength: "1000", required: "" }));
    var go = form.appendChild(el("button", { type: "submit", "class": "primary" }, T.submit));
    form.appendChild(el("button", { type: "button", id: "act-cancel" }, T.cancel)).addEventListener("click", function () { form.remove(); });
    text.focus();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!text.value.trim()) { failed(fill(T.required, { field: a[2] })); text.focus(); return; }
      var body = {};
      body[a[3]] = text.value;
      go.disabled = true;
      $("error").hidden = true;
      window.ConsoleApi.call("POST", config.plans + "/" + encodeURIComponent(plan.id) + "/" + a[0], body, function (status, data) {
        go.disabled = false;
        if (status !== 200 && status !== 201) { failedCall(status, data); return; }
        drawPlan(data);
        announce(a[4]);
        loadList();
      }, config.login);
    });
  }

  /* ---- making one ------------------------------------------------------------------ */
  function newPlan(prefill) {
    $("pick").hidden = true; $("detail").hidden = true; $("error").hidden = true;
    window.PlanForm.open($("plan-form"), config, prefill, function (plan) {
      if (!plan) { $("pick").hidden = false; return; }
      announce(fill(T.created, { number: plan.id }));
      state.open = plan.id;
      window.history.replaceState(null, "", "?" + new URLSearchParams({ plan: plan.id }).toString());
      drawPlan(plan);
      loadList();
    }, failed);
  }

  $("logout").addEventListener("click", function () {
    window.ConsoleApi.call("POST", config.logout, null, function () { window.location.assign(config.login); }, config.login);
  });
  if (config.mayCreate) {
    $("new-plan").textContent = T.new;
    $("new-plan").hidden = false;
    $("new-plan").addEventListener("click", function () { newPlan(null); });
  }
  filters();
  loadList();
  if (config.prefill && config.mayCreate) { newPlan(config.prefill); } else if (state.open) { openPlan(state.open); }
}());
