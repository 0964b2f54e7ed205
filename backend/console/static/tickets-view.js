/* Drawing for the ticket desk (tickets.js holds the state): queue entries, timers, clocks,
   history, the masked customer and the step buttons and forms. A timer's state is written in
   words with an icon (console wording TIMER), never colour alone; everything is textContent. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function when(iso) { return iso ? String(iso).slice(5, 10).replace("-", "月") + "日 " + String(iso).slice(11, 16) : ""; }

  function create(T) {
    function duration(seconds) {
      var s = Math.abs(seconds), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
      if (d > 0) { return fill(T.duration.days, { d: d, h: h }); }
      if (h > 0) { return fill(T.duration.hours, { h: h, m: m }); }
      return m > 0 ? fill(T.duration.minutes, { m: m }) : T.duration.under;
    }
    function left(t) {  // time left, or overdue by
      if (t.seconds_left === null || t.seconds_left === undefined) { return ""; }
      return t.seconds_left > 0 && t.timer !== "overdue" ? fill(T.timeLeft, { time: duration(t.seconds_left) })
        : fill(T.timeOver, { time: duration(t.seconds_left) });
    }
    function timer(t) { return el("span", "timer " + t.timer, T.timer[t.timer] || t.timer); }
    function actor(who) {
      if (!who || who === "system") { return T.system; }
      if (who === "service") { return T.service; }
      return String(who).replace(/^staff:/, "");
    }
    function entry(item, current) {
      var li = el("li"), b = el("button", "conv tkt " + item.timer.timer);
      b.type = "button"; b.setAttribute("data-id", item.id);
      if (current) { b.setAttribute("aria-current", "true"); }
      var top = el("span", "row");
      top.appendChild(el("span", "st", (T.types[item.type] || item.type) + " #" + item.id));
      top.appendChild(el("span", "status", T.statuses[item.status] || item.status));
      b.appendChild(top);
      var mid = el("span", "row small");
      mid.appendChild(timer(item.timer));
      mid.appendChild(el("span", "left", item.timer.label ? item.timer.label + " · " + left(item.timer) : ""));
      b.appendChild(mid);
      var low = el("span", "row small"), marks = el("span", "marks");
      if (item.escalated) { marks.appendChild(el("span", "mark", T.escalatedMark)); }
      if (item.is_repeat) { marks.appendChild(el("span", "mark", T.repeatMark)); }
      if (item.needs_manual_dispatch) { marks.appendChild(el("span", "mark", T.manualMark)); }
      low.appendChild(marks);
      low.appendChild(el("span", "unit", item.unit.name));
      b.appendChild(low);
      li.appendChild(b);
      return li;
    }
    function clocks(table, list) {
      table.textContent = "";
      var head = el("tr");
      [T.clock, T.due, T.state, T.left].forEach(function (h) { var th = el("th", null, h); th.scope = "col"; head.appendChild(th); });
      var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
      var body = el("tbody");
      list.forEach(function (c) {
        var tr = el("tr");
        tr.setAttribute("data-clock", c.name);
        tr.appendChild(el("td", null, (T.clocks[c.name] || c.label || c.name) + (c.round > 1 ? "（" + c.round + "）" : "")));
        var due = el("td"), time = el("time", null, when(c.due_at)); time.setAttribute("datetime", c.due_at || "");
        due.appendChild(time); tr.appendChild(due);
        var st = el("td"); st.appendChild(timer(c)); tr.appendChild(st);
        tr.appendChild(el("td", null, left(c)));
        body.appendChild(tr);
      });
      table.appendChild(body);
    }
    function detailOf(e) {
      var parts = [], data = e.data || {};
      Object.keys(data).forEach(function (k) {
        var v = data[k];
        if (v === null || v === undefined || v === "" || typeof v === "object" || !(k in T.fields)) { return; }
        if (k === "rating") { v = T.ratings[v] || v; }
        if (k === "grade") { v = T.grades[v] || v; }
        if (k === "clock") { v = T.clocks[v] || v; }
        if (k === "channel") { v = T.channels[v] || v; }
        parts.push(T.fields[k] + "：" + v);
      });
      if (e.note) { parts.push(e.note); }
      return parts.join("；");
    }
    function history(list, events) {
      list.textContent = "";
      events.forEach(function (e) {
        var li = el("li");
        li.setAttribute("data-kind", e.kind);
        li.appendChild(el("span", "what", T.events[e.kind] || e.kind));
        li.appendChild(el("span", "by", actor(e.actor)));
        var time = el("time", null, when(e.at)); time.setAttribute("datetime", e.at || ""); li.appendChild(time);
        var text = detailOf(e);
        if (text) { li.appendChild(el("span", "detail", text)); }
        list.appendChild(li);
      });
    }
    function surveys(list, items) {  // the customer's own ratings (问卷), beside the callback's in the history
      var S = T.surveys;
      list.textContent = "";
      if (!items || !items.length) { list.appendChild(el("li", "none", S.none)); return; }
      items.forEach(function (s) {
        var li = el("li");
        li.setAttribute("data-survey", s.id);
        var where = s.channel === "form" ? S.form : (T.channels[s.channel] || s.channel);
        li.appendChild(el("span", "what", (S.subjects[s.subject] || s.subject) + " · " + where));
        li.appendChild(el("span", "by", s.rating ? fill(S.answered, { rating: s.rating_name, when: when(s.answered_at) })
          : S.unanswered));
        var time = el("time", null, fill(S.offered, { when: when(s.offered_at) }));
        time.setAttribute("datetime", s.offered_at || ""); li.appendChild(time);
        if (s.comment) { li.appendChild(el("span", "detail", fill(S.comment, { comment: s.comment }))); }
        list.appendChild(li);
      });
    }
    function customer(dl, t) {
      dl.textContent = "";
      [[T.name, t.customer.name], [T.phone, t.customer.phone], [T.accountNo, t.customer.account_no],
       [T.address, t.address], [T.unit, t.unit.name], [T.channel, T.channels[t.channel] || t.channel],
       [T.created, when(t.created_at)], [T.grade, t.grade ? T.grades[t.grade] || t.grade : null],
       [T.description, t.description]].forEach(function (p) {
        dl.appendChild(el("dt", null, p[0]));
        dl.appendChild(el("dd", null, p[1] === null || p[1] === undefined || p[1] === "" ? "—" : p[1]));
      });
    }
    function fieldLabel(kind, name) { return T.fieldLabels[kind + "." + name] || T.fields[name] || name; }
    function stepForm(form, step) {
      form.textContent = "";
      form.setAttribute("data-step", step.kind);
      form.setAttribute("aria-label", T.steps[step.kind] || step.kind);
      step.fields.forEach(function (f) {
        var id = "f-" + f.name, label = el("label");
        label.setAttribute("for", id);
        label.textContent = fieldLabel(step.kind, f.name) + (f.required ? T.required : T.optional);
        var input;
        if (f.input === "choice") {
          input = el("select");
          f.options.forEach(function (o) {
            var opt = el("option", null, f.name === "rating" ? T.ratings[o.value] || o.label : o.label);
            opt.value = o.value; input.appendChild(opt);
          });
        } else if (f.input === "textarea") {
          input = el("textarea"); input.rows = 3; input.maxLength = 2000;
        } else {
          input = el("input"); input.maxLength = 200; input.autocomplete = "off";
        }
        input.id = id; input.name = f.name;
        if (f.required) { input.required = true; input.setAttribute("aria-required", "true"); }
        var wrap = el("div", "field"); wrap.appendChild(label); wrap.appendChild(input);
        form.appendChild(wrap);
      });
      var go = el("button", "go", T.submit + "：" + (T.steps[step.kind] || step.kind)); go.type = "submit";
      var cancel = el("button", "cancel", T.cancel); cancel.type = "button";
      form.appendChild(go); form.appendChild(cancel);
      form.hidden = false;
      var first = form.querySelector("input, select, textarea") || go;
      first.focus();
    }
    function stepButtons(box, steps) {
      box.textContent = "";
      if (!steps.length) { box.appendChild(el("p", "hint", T.noSteps)); return; }
      steps.forEach(function (s) {
        var b = el("button", "step", T.steps[s.kind] || s.kind); b.type = "button";
        b.setAttribute("data-step", s.kind);
        box.appendChild(b);
      });
    }
    return { entry: entry, clocks: clocks, history: history, surveys: surveys, customer: customer, stepForm: stepForm,
             stepButtons: stepButtons, timer: timer, left: left, fill: fill, when: when, fieldLabel: fieldLabel };
  }

  window.TicketsView = { create: create };
}());
