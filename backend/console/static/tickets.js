/* The ticket desk (backend/console/ticket_page.py). No framework; every sentence comes from the
   server (#tickets-config, console/wording.py desk_texts()).

   The queue is GET /api/console/tickets (the caller's subtree, nearest running deadline first)
   with the tab's preset and the filter form; the open ticket is GET /api/console/tickets/{id},
   which carries its clocks' timers, its history and the steps its state allows (computed by the
   server from the lifecycle's own checks: this script never decides what is legal). A step is
   posted to POST /api/tickets/{id}/events; a refusal (409 and others) is shown in words. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("tickets-config").textContent);
  var T = config.texts;
  var view = window.TicketsView.create(T);
  var reveal = window.Reveal.create(document.getElementById("reveal"), T.reveal, config.login);
  var $ = function (id) { return document.getElementById(id); };
  var els = { tabs: $("tabs"), filters: $("filters"), list: $("list"), pager: $("pager"), pick: $("pick"),
              view: $("view"), title: $("t-title"), state: $("t-state"), steps: $("steps"), form: $("step-form"),
              notice: $("notice"), error: $("error"), clocks: $("clocks"), history: $("history"), surveys: $("surveys"),
              info: $("customer-info"), logout: $("logout"), announce: $("announce") };
  var TABS = config.supervising ? ["all", "escalated", "overdue", "repeat"] : ["all"];
  var PRESETS = { all: {}, escalated: { escalated: "true" }, overdue: { overdue: "true" },
                  repeat: { type: "complaint", repeat: "true" } };
  var tab = "all", page = 1, pages = 1, openId = null, open = null;
  // A link from the dashboard (看板) carries the ticket list's filters: the form takes what it has,
  // the rest (unit, from, to) stays fixed and is said above the list until cleared.
  var linked = new URLSearchParams(window.location.search), fixed = {};
  ["unit", "from", "to", "manual_dispatch"].forEach(function (k) { if (linked.get(k)) { fixed[k] = linked.get(k); } });

  function api(method, path, body, done) {
    window.ConsoleApi.call(method, path, body, done, config.login);
  }
  function message(status, data) {
    if (status === 0) { return T.errors.network; }
    var text = window.ConsoleApi.errorText(status, data, T.errors);
    if (status === 409) { return view.fill(T.errors.illegal, { message: text }); }
    return text;
  }
  function showError(text) { els.error.textContent = text || ""; els.error.hidden = !text; }
  function notice(text) { els.notice.textContent = text || ""; }

  /* ---- the queue -------------------------------------------------------------------- */
  function query() {
    var params = Object.assign({}, PRESETS[tab]), form = els.filters;
    if (form.elements.type.value) { params.type = form.elements.type.value; }
    if (form.elements.status.value) { params.status = form.elements.status.value; }
    ["overdue", "escalated", "repeat"].forEach(function (k) { if (form.elements[k].checked) { params[k] = "true"; } });
    Object.assign(params, fixed);
    params.page = String(page);
    return Object.keys(params).map(function (k) { return k + "=" + encodeURIComponent(params[k]); }).join("&");
  }
  function loadQueue() {
    els.list.setAttribute("aria-busy", "true");
    api("GET", config.queue + "?" + query(), null, function (status, data) {
      els.list.setAttribute("aria-busy", "false");
      if (status !== 200 || !data) { showError(message(status, data)); return; }
      var focused = document.activeElement && document.activeElement.getAttribute ? document.activeElement.getAttribute("data-id") : null;
      els.list.textContent = "";
      if (!data.items.length) { var li = document.createElement("li"); li.className = "empty"; li.textContent = T.empty; els.list.appendChild(li); }
      data.items.forEach(function (item) { els.list.appendChild(view.entry(item, item.id === openId)); });
      pages = Math.max(1, Math.ceil(data.total / data.per_page));
      renderPager(data.total);
      if (focused) { var again = els.list.querySelector("[data-id='" + focused + "']"); if (again) { again.focus(); } }
    });
  }
  function renderPager(total) {
    els.pager.textContent = "";
    var prev = document.createElement("button"), next = document.createElement("button"), where = document.createElement("span");
    prev.type = next.type = "button"; prev.id = "prev"; next.id = "next";
    prev.textContent = T.prev; next.textContent = T.next;
    prev.disabled = page <= 1; next.disabled = page >= pages;
    where.textContent = view.fill(T.page, { page: page, pages: pages, total: total });
    prev.addEventListener("click", function () { page -= 1; loadQueue(); });
    next.addEventListener("click", function () { page += 1; loadQueue(); });
    els.pager.appendChild(prev); els.pager.appendChild(where); els.pager.appendChild(next);
  }
  function renderTabs() {
    els.tabs.textContent = "";
    TABS.forEach(function (name) {
      var b = document.createElement("button");
      b.type = "button"; b.setAttribute("role", "tab"); b.setAttribute("data-tab", name);
      b.setAttribute("aria-controls", "list"); b.setAttribute("aria-selected", String(name === tab));
      b.textContent = T.queues[name];
      if (name !== "all") { b.title = T.supervise; }
      b.addEventListener("click", function () { tab = name; page = 1; renderTabs(); loadQueue(); });
      els.tabs.appendChild(b);
    });
  }
  function buildFilters() {
    var form = els.filters;
    function select(name, label, any, names) {
      var wrap = document.createElement("label"), s = document.createElement("select");
      wrap.appendChild(document.createTextNode(label)); s.name = name;
      var first = document.createElement("option"); first.value = ""; first.textContent = any; s.appendChild(first);
      Object.keys(names).forEach(function (code) {
        var o = document.createElement("option"); o.value = code; o.textContent = names[code]; s.appendChild(o);
      });
      wrap.appendChild(s); form.appendChild(wrap);
    }
    function check(name, label) {
      var wrap = document.createElement("label"), c = document.createElement("input");
      wrap.className = "check"; c.type = "checkbox"; c.name = name;
      wrap.appendChild(c); wrap.appendChild(document.createTextNode(label)); form.appendChild(wrap);
    }
    select("type", T.type, T.anyType, T.types);
    select("status", T.status, T.anyStatus, T.statuses);
    check("overdue", T.overdueOnly); check("escalated", T.escalatedOnly); check("repeat", T.repeatOnly);
    var go = document.createElement("button"); go.type = "submit"; go.textContent = T.apply; form.appendChild(go);
    form.addEventListener("submit", function (event) { event.preventDefault(); page = 1; loadQueue(); });
    ["type", "status"].forEach(function (k) { if (linked.get(k)) { form.elements[k].value = linked.get(k); } });
    ["overdue", "escalated", "repeat"].forEach(function (k) { form.elements[k].checked = linked.get(k) === "true"; });
    if (Object.keys(fixed).length) {
      var note = document.createElement("p"), clear = document.createElement("a");
      note.className = "hint drill"; note.id = "drill";
      note.textContent = view.fill(T.drillScope, { unit: fixed.unit || "—", from: fixed.from || "—", to: fixed.to || "—" }) + " ";
      clear.href = window.location.pathname; clear.textContent = T.drillClear;
      note.appendChild(clear); form.appendChild(note);
    }
  }

  /* ---- the open ticket ------------------------------------------------------------------ */
  function loadTicket(done) {
    var id = openId;
    api("GET", config.ticket + encodeURIComponent(id), null, function (status, data) {
      if (id !== openId) { return; }
      if (status !== 200 || !data) { showError(message(status, data)); return; }
      open = data;
      els.title.textContent = (T.types[data.type] || data.type) + " #" + data.id;
      els.state.textContent = "";
      els.state.appendChild(document.createTextNode((T.statuses[data.status] || data.status) + " · "));
      els.state.appendChild(view.timer(data.timer));
      if (data.timer.label) {
        els.state.appendChild(document.createTextNode(" " + view.fill(T.nearest, { clock: data.timer.label, due: view.when(data.timer.due_at) }) + " · " + view.left(data.timer)));
      }
      view.stepButtons(els.steps, data.steps);
      els.form.hidden = true;
      view.clocks(els.clocks, data.clocks);
      els.history.setAttribute("aria-busy", "true");
      view.history(els.history, data.events);
      els.history.setAttribute("aria-busy", "false");
      view.surveys(els.surveys, data.surveys);
      view.customer(els.info, data);
      if (done) { done(); }
    });
  }
  function openTicket(id) {
    openId = id; open = null;
    reveal.target(config.events + encodeURIComponent(id) + "/reveal");
    els.pick.hidden = true; els.view.hidden = false;
    showError(""); notice("");
    loadTicket(); loadQueue();
  }
  function stepOf(kind) { return open ? open.steps.filter(function (s) { return s.kind === kind; })[0] : null; }
  function submitStep(step) {
    var body = { kind: step.kind }, missing = null;
    step.fields.forEach(function (f) {
      var input = els.form.elements[f.name], value = input ? input.value.trim() : "";
      if (value) { body[f.name] = value; } else if (f.required && !missing) { missing = f; }
    });
    if (missing) {
      showError(view.fill(T.errors.missing, { field: view.fieldLabel(step.kind, missing.name) }));
      els.form.elements[missing.name].focus();
      return;
    }
    showError("");
    var go = els.form.querySelector(".go"); go.disabled = true;
    api("POST", config.events + encodeURIComponent(openId) + "/events", body, function (status, data) {
      go.disabled = false;
      if (status === 201) {
        var done = view.fill(T.done, { step: T.steps[step.kind] || step.kind });
        loadTicket(function () { notice(done); els.announce.textContent = done; els.steps.focus(); });
        loadQueue();
        return;
      }
      showError(message(status, data));
      loadTicket();
    });
  }
  els.steps.tabIndex = -1;
  els.steps.addEventListener("click", function (event) {
    var b = event.target.closest("button[data-step]");
    var step = b ? stepOf(b.getAttribute("data-step")) : null;
    if (step) { notice(""); showError(""); view.stepForm(els.form, step); }
  });
  els.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var step = stepOf(els.form.getAttribute("data-step"));
    if (step) { submitStep(step); }
  });
  els.form.addEventListener("click", function (event) {
    if (event.target.closest(".cancel")) { els.form.hidden = true; els.steps.focus(); }
  });
  els.list.addEventListener("click", function (event) {
    var b = event.target.closest("button[data-id]");
    if (b) { openTicket(b.getAttribute("data-id")); }
  });
  els.logout.addEventListener("click", function () {
    api("POST", config.logout, null, function () { window.location.assign(config.login); });
  });

  renderTabs();
  buildFilters();
  loadQueue();
  setInterval(function () { loadQueue(); if (openId && els.form.hidden) { loadTicket(); } }, 60000);  // timers move on
}());
