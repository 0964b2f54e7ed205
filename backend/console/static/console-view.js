/* Drawing for the staff console (console.js holds the state): transcript lines, list
   entries and the side panels. Who said a line is written out (客户 / 智能客服 / 人工客服 /
   系统), never shown by colour alone; each customer line names the intent and confidence
   the assistant saw. All text is set with textContent: transcript text is never HTML. */
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
  function clock(iso) { return iso ? String(iso).slice(11, 16) : ""; }
  function dayClock(iso) { return iso ? String(iso).slice(5, 10).replace("-", "月") + "日 " + clock(iso) : ""; }
  function shortId(id) { return String(id).slice(0, 8); }
  function staffName(actor) { return String(actor || "").replace(/^staff:/, ""); }

  function create(T, me) {
    function who(line) {
      var label = T.senders[line.sender] || line.sender;
      if (line.sender === "agent" && line.actor) {
        label += "（" + (line.actor === me.actor ? T.senderMe : staffName(line.actor)) + "）";
      }
      return label;
    }
    function line(data) {
      var item = el("li", "line " + data.sender);
      item.setAttribute("data-seq", data.seq);
      var head = el("p", "who");
      head.appendChild(el("span", "label", who(data)));
      var time = el("time", null, clock(data.at));
      time.setAttribute("datetime", data.at || "");
      head.appendChild(time);
      item.appendChild(head);
      item.appendChild(el("p", "bubble", data.text));
      if (data.sender === "customer") {
        item.appendChild(el("p", "intent", data.intent
          ? fill(T.intentSeen, { intent: data.intent, confidence: data.confidence === null || data.confidence === undefined ? "—" : Number(data.confidence).toFixed(2) })
          : T.intentNone));
      }
      if (data.pending_delivery) { item.appendChild(el("p", "pending", T.pending)); }
      return item;
    }
    function waited(conv, nowMs) {
      if (!conv.waiting_since) { return ""; }
      var minutes = Math.floor(Math.max(0, nowMs - Date.parse(conv.waiting_since)) / 60000);
      return minutes < 1 ? T.waitedSeconds : fill(T.waited, { minutes: minutes });
    }
    function entry(conv, position, nowMs, current) {
      var item = el("li");
      var button = el("button", "conv state-" + conv.state);
      button.type = "button";
      button.setAttribute("data-id", conv.id);
      if (current) { button.setAttribute("aria-current", "true"); }
      var top = el("span", "row");
      top.appendChild(el("span", "ch", T.channels[conv.channel] || conv.channel));
      top.appendChild(el("span", "st", T.states[conv.state] || conv.state));
      if (position) { top.appendChild(el("span", "pos", fill(T.queuePosition, { position: position }))); }
      button.appendChild(top);
      var bottom = el("span", "row small");
      bottom.appendChild(el("span", "cid", "#" + shortId(conv.id)));
      if (conv.state === "waiting_agent") { bottom.appendChild(el("span", "wait", waited(conv, nowMs))); }
      if (conv.state === "agent") { bottom.appendChild(el("span", "held", fill(T.heldBy, { name: conv.held_by === me.actor ? T.senderMe : staffName(conv.held_by) }))); }
      if (conv.handoff_reason && conv.state !== "bot") { bottom.appendChild(el("span", "reason", T.reasons[conv.handoff_reason] || conv.handoff_reason)); }
      button.appendChild(bottom);
      item.appendChild(button);
      return item;
    }
    function pair(list, term, value) {
      list.appendChild(el("dt", null, term));
      list.appendChild(el("dd", null, value === null || value === undefined || value === "" ? T.none : value));
    }
    function customer(info, extra, conv) {
      info.textContent = "";
      extra.textContent = "";
      pair(info, T.channel, T.channels[conv.channel] || conv.channel);
      pair(info, T.started, dayClock(conv.created_at));
      pair(info, T.reason, conv.handoff_reason ? (T.reasons[conv.handoff_reason] || conv.handoff_reason) : "");
      if (conv.wechat_quota) {
        var q = conv.wechat_quota;
        extra.appendChild(el("p", "quota", q.remaining > 0
          ? fill(T.wechatQuota, { remaining: q.remaining, until: dayClock(q.window_ends_at) }) : T.wechatNoQuota));
      }
      if (conv.ivr_transfer) {
        var t = conv.ivr_transfer, box = el("dl", "ivr");
        extra.appendChild(el("h3", null, T.ivrContext));
        pair(box, T.ivrIntent, t.intent);
        pair(box, T.ivrForm, t.active_form);
        pair(box, T.ivrSlots, Object.keys(t.slots || {}).map(function (k) { return (T.slotNames[k] || k) + "：" + t.slots[k]; }).join("；"));
        pair(box, T.ivrTicket, t.ticket_id);
        extra.appendChild(box);
      }
    }
    function suggestion(box, data, use) {
      box.textContent = "";
      if (!data || data.status === "no_line") { box.appendChild(el("p", "hint", T.suggestionNone)); return; }
      box.appendChild(el("p", "for", fill(T.suggestionFor, { text: data.line.text })));
      if (data.status === "unavailable") { box.appendChild(el("p", "down", T.assistantDown)); return; }
      box.appendChild(el("p", "intent", data.intent
        ? fill(T.intentSeen, { intent: data.intent, confidence: data.confidence === null ? "—" : Number(data.confidence).toFixed(2) })
        : T.intentNone));
      if (!data.reply) { box.appendChild(el("p", "hint", T.suggestionNoReply)); return; }
      box.appendChild(el("blockquote", "reply", data.reply));
      var button = el("button", "use", T.suggestionUse);
      button.type = "button";
      button.addEventListener("click", function () { use(data.reply); });
      box.appendChild(button);
    }
    function tickets(list, items) {
      list.textContent = "";
      if (!items || !items.length) { list.appendChild(el("li", "hint", T.ticketsNone)); return; }
      items.forEach(function (t) {
        var item = el("li", "ticket");
        item.appendChild(el("strong", null, t.id + " " + t.type_name + " · " + t.status_name));
        item.appendChild(el("span", "src", t.this_conversation ? T.ticketThis : T.ticketSameCustomer));
        if (t.next_deadline) {
          var d = t.next_deadline;
          item.appendChild(el("span", "due" + (d.overdue ? " overdue" : ""),
            fill(T.ticketNext, { clock: d.label, due: dayClock(d.due_at) }) + (d.overdue ? T.ticketOverdue : "")));
        }
        var c = t.customer || {};
        var masked = [c.name, c.phone, c.account_no].filter(Boolean).join(" ");
        if (masked) { item.appendChild(el("span", "masked", masked)); }
        list.appendChild(item);
      });
    }
    return { line: line, entry: entry, customer: customer, suggestion: suggestion, tickets: tickets,
             title: function (conv) { return (T.channels[conv.channel] || conv.channel) + " · #" + shortId(conv.id); },
             fill: fill, staffName: staffName };
  }

  window.ConsoleView = { create: create };
}());
