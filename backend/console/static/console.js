/* The staff console's conversations workspace (backend/console/pages.py). No framework; every
   sentence comes from the server (the JSON block #console-config, from console/wording.py).

   State: the conversations seen (by id), the open one and the line seqs drawn of it. Lists come
   from GET /api/conversations each time the live feed (GET /console/events, Server-Sent Events)
   says "ready" — so a reconnect re-syncs — and change by the feed's deltas after that. Actions
   go to the takeover API; what they change comes back through the feed as well. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("console-config").textContent);
  var T = config.texts, me = config.me;
  var view = window.ConsoleView.create(T, me);
  var reveal = window.Reveal.create(document.getElementById("reveal"), T.reveal, config.login);
  var $ = function (id) { return document.getElementById(id); };
  var els = { live: $("live"), liveText: $("live-text"), tabs: $("tabs"), channel: $("channel"), list: $("list"),
              pick: $("pick"), view: $("view"), title: $("conv-title"), state: $("conv-state"), claim: $("claim"),
              release: $("release"), close: $("close"), transfer: $("transfer"), transferTo: $("transfer-to"),
              notice: $("notice"), error: $("error"), lines: $("lines"), composer: $("composer"), reply: $("reply"),
              canned: $("canned"), send: $("send"), suggestion: $("suggestion"), tickets: $("tickets"),
              info: $("customer-info"), extra: $("customer-extra"), logout: $("logout"), announce: $("announce") };
  var QUEUES = ["waiting", "mine", "bot", "all"];
  var conversations = {}, queue = "waiting", channel = "";
  var openId = null, seqs = {}, maxSeq = 0, assistTimer = null;
  var feed = null, feedTimer = null, attempt = 0, offsetMs = 0;

  /* ---- the API --------------------------------------------------------------- */
  function api(method, path, body, done) {
    window.ConsoleApi.call(method, path, body, done, config.login);
  }
  function message(status, data) {
    return window.ConsoleApi.errorText(status, data, T.errors);
  }
  function showError(text) { els.error.textContent = text || ""; els.error.hidden = !text; }
  function notice(text) { els.notice.textContent = text || ""; }

  /* ---- lists ------------------------------------------------------------------- */
  function upsert(c) {
    var old = conversations[c.id];
    if (old && old.updated_at && c.updated_at && c.updated_at < old.updated_at) { return; }
    conversations[c.id] = Object.assign({}, old || {}, c);
  }
  function positions() {
    var waiting = Object.keys(conversations).map(function (id) { return conversations[id]; })
      .filter(function (c) { return c.state === "waiting_agent"; })
      .sort(function (a, b) { return a.waiting_since < b.waiting_since ? -1 : a.waiting_since > b.waiting_since ? 1 : (a.id < b.id ? -1 : 1); });
    var places = {};
    waiting.forEach(function (c, i) { places[c.id] = i + 1; });
    return places;
  }
  function inQueue(c, name) {
    if (channel && c.channel !== channel) { return false; }
    if (name === "waiting") { return c.state === "waiting_agent"; }
    if (name === "mine") { return c.state === "agent" && c.held_by === me.actor; }
    if (name === "bot") { return c.state === "bot"; }
    return true;
  }
  function members(name) {
    var list = Object.keys(conversations).map(function (id) { return conversations[id]; })
      .filter(function (c) { return inQueue(c, name); });
    var places = positions();
    if (name === "waiting") { list.sort(function (a, b) { return places[a.id] - places[b.id]; }); }
    else { list.sort(function (a, b) { return a.updated_at < b.updated_at ? 1 : -1; }); }
    return list;
  }
  function renderTabs() {
    QUEUES.forEach(function (name) {
      var tab = els.tabs.querySelector("[data-queue='" + name + "']");
      tab.textContent = T.queues[name] + "（" + members(name).length + "）";
      tab.setAttribute("aria-selected", String(name === queue));
    });
  }
  function renderList() {
    var places = positions(), nowMs = Date.now() + offsetMs, focused = document.activeElement;
    var focusedId = focused && focused.getAttribute ? focused.getAttribute("data-id") : null;
    els.list.textContent = "";
    var list = members(queue);
    if (!list.length) { els.list.appendChild(Object.assign(document.createElement("li"), { className: "empty", textContent: T.emptyQueue })); }
    list.forEach(function (c) { els.list.appendChild(view.entry(c, places[c.id], nowMs, c.id === openId)); });
    renderTabs();
    if (focusedId) { var again = els.list.querySelector("[data-id='" + focusedId + "']"); if (again) { again.focus(); } }
  }
  var listTimer = null;
  function soonRenderList() {  // a burst of feed events redraws the list once
    if (!listTimer) { listTimer = setTimeout(function () { listTimer = null; renderList(); }, 100); }
  }
  function loadLists() {
    var paths = ["/api/conversations?state=waiting_agent&per_page=200", "/api/conversations?held_by=me&per_page=200",
                 "/api/conversations?per_page=200"];
    paths.forEach(function (path) {
      api("GET", path, null, function (status, data) {
        if (status !== 200 || !data) { return; }
        data.items.forEach(upsert);
        renderList();
      });
    });
  }

  /* ---- the open conversation ------------------------------------------------------ */
  function addLines(lines) {
    var fresh = false;
    (lines || []).slice().sort(function (a, b) { return a.seq - b.seq; }).forEach(function (line) {
      if (seqs[line.seq]) { markDelivered(line); return; }
      seqs[line.seq] = true;
      maxSeq = Math.max(maxSeq, line.seq);
      els.lines.appendChild(view.line(line));
      if (line.sender === "customer") { fresh = true; }
    });
    els.lines.scrollTop = els.lines.scrollHeight;
    if (fresh) { clearTimeout(assistTimer); assistTimer = setTimeout(freshCustomerLine, 300); }
  }
  function markDelivered(line) {  // a line the channel has handed over since it was drawn
    var drawn = els.lines.querySelector("li[data-seq='" + line.seq + "'] .pending");
    if (drawn && !line.pending_delivery) { drawn.parentNode.removeChild(drawn); }
  }
  function renderView() {
    var c = conversations[openId];
    if (!c) { return; }
    var mine = c.state === "agent" && c.held_by === me.actor;
    var supervising = me.role === "supervisor" || me.role === "admin";
    els.title.textContent = view.title(c);
    els.state.textContent = (T.states[c.state] || c.state) +
      (c.state === "agent" ? "，" + view.fill(T.heldBy, { name: mine ? T.senderMe : view.staffName(c.held_by) }) : "");
    els.claim.disabled = mine || c.state === "closed";  // held by another: a click says so (409)
    els.release.disabled = els.transferTo.disabled = $("transfer-go").disabled = !(mine || (supervising && c.state === "agent"));
    els.close.disabled = c.state === "closed" || (c.state === "agent" && !mine && !supervising);
    els.reply.disabled = els.send.disabled = els.canned.disabled = !mine;
    els.reply.placeholder = mine ? "" : (c.state === "agent" ? T.heldByOther : T.claimFirst);
    view.customer(els.info, els.extra, c);
  }
  function loadDetail() {
    var id = openId;
    api("GET", "/api/conversations/" + encodeURIComponent(id), null, function (status, data) {
      if (id !== openId) { return; }
      if (status !== 200 || !data) { showError(message(status, data)); return; }
      var lines = data.messages;
      delete data.messages;
      upsert(data);
      conversations[id] = Object.assign(conversations[id], data);
      addLines(lines);
      els.lines.setAttribute("aria-busy", "false");
      renderView();
      renderList();
    });
  }
  function freshCustomerLine() {
    loadAssist();
    if (els.lines.querySelector(".pending")) { loadDetail(); }  // the customer's turn took the lines waiting for it
  }
  function loadAssist() {
    var id = openId;
    if (!id) { return; }
    api("GET", "/api/conversations/" + encodeURIComponent(id) + "/assist", null, function (status, data) {
      if (id !== openId) { return; }
      if (status !== 200 || !data) { view.suggestion(els.suggestion, { status: "unavailable", line: { text: "" } }); return; }
      view.suggestion(els.suggestion, data.suggestion, function (text) { els.reply.value = text; els.reply.focus(); });
      view.tickets(els.tickets, data.tickets);
    });
  }
  function openConversation(id) {
    if (id === openId) { return; }
    openId = id; seqs = {}; maxSeq = 0;
    reveal.target(config.serves ? "/api/conversations/" + encodeURIComponent(id) + "/reveal" : null);
    els.lines.setAttribute("aria-busy", "true");  // the history is drawn at once: not read out line by line
    els.lines.textContent = ""; els.suggestion.textContent = ""; els.tickets.textContent = "";
    els.pick.hidden = true; els.view.hidden = false;
    showError(""); notice("");
    renderView(); renderList(); loadDetail(); loadAssist(); connectFeed();
  }

  /* ---- actions ----------------------------------------------------------------- */
  function act(step, body, done) {
    var id = openId;
    showError("");
    api("POST", "/api/conversations/" + encodeURIComponent(id) + "/" + step, body, function (status, data) {
      if (status === 200 || status === 201) {
        if (data && data.state) { upsert(Object.assign({}, conversations[id], data)); renderView(); renderList(); }
        done(data);
        return;
      }
      showError(message(status, data));
      loadDetail();
    });
  }
  els.claim.addEventListener("click", function () { act("claim", null, function () { notice(T.claimed); els.reply.focus(); }); });
  els.release.addEventListener("click", function () { act("release", null, function () { notice(T.released); }); });
  els.close.addEventListener("click", function () { act("close", null, function () { notice(T.closed); }); });
  els.transfer.addEventListener("submit", function (event) {
    event.preventDefault();
    var to = els.transferTo.value.trim();
    if (!to) { showError(T.errors.transfer_to); els.transferTo.focus(); return; }
    act("transfer", { to: to }, function () { els.transferTo.value = ""; notice(view.fill(T.transferred, { name: to })); });
  });
  function sendReply() {
    var text = els.reply.value.trim();
    if (!text) { showError(T.errors.empty); return; }
    els.send.disabled = true;
    act("messages", { text: text }, function () { els.reply.value = ""; notice(T.sent); els.send.disabled = false; els.reply.focus(); });
  }
  els.composer.addEventListener("submit", function (event) { event.preventDefault(); sendReply(); });
  els.reply.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); sendReply(); }
  });
  config.canned.forEach(function (c, i) {
    var option = document.createElement("option");
    option.value = String(i); option.textContent = c.title + "：" + c.text;
    els.canned.appendChild(option);
  });
  els.canned.addEventListener("change", function () {
    var chosen = config.canned[Number(els.canned.value)];
    if (chosen) { els.reply.value = chosen.text; els.reply.focus(); }
    els.canned.value = "";
  });
  els.logout.addEventListener("click", function () {
    api("POST", config.logout, null, function () { window.location.assign(config.login); });
  });

  /* ---- the live feed --------------------------------------------------------------- */
  function live(state) { els.live.setAttribute("data-state", state); els.liveText.textContent = T.live[state]; }
  function connectFeed() {
    clearTimeout(feedTimer);
    if (feed) { feed.close(); }
    live("connecting");
    var url = config.events + (openId ? "?open=" + encodeURIComponent(openId) + "&after=" + maxSeq : "");
    var source = new EventSource(url);
    feed = source;
    source.addEventListener("ready", function (event) {
      var data = JSON.parse(event.data);
      attempt = 0;
      offsetMs = Date.parse(data.now) - Date.now();
      live("live");
      loadLists();
      if (openId) { loadDetail(); }
    });
    source.addEventListener("conversation", function (event) {
      var c = JSON.parse(event.data), before = conversations[c.id];
      if (c.state === "waiting_agent" && (!before || before.state !== "waiting_agent")) {  // said, not only drawn
        els.announce.textContent = view.fill(T.newWaiting, { channel: T.channels[c.channel] || c.channel,
                                                              reason: T.reasons[c.handoff_reason] || c.handoff_reason || "" });
      }
      upsert(c);
      soonRenderList();
      if (c.id === openId) { renderView(); }
    });
    source.addEventListener("ended", function () {  // the session ended (idle, logged out elsewhere)
      source.close();
      window.location.assign(config.login);
    });
    source.addEventListener("lines", function (event) {
      var data = JSON.parse(event.data);
      if (data.conversation_id === openId) { addLines(data.lines); }
    });
    source.onerror = function () {
      if (source !== feed) { return; }
      source.close();
      feed = null;
      live("offline");
      api("GET", "/api/auth/me", null, function () {});  // a session that expired goes to the login page
      var wait = Math.min(30000, 1000 * Math.pow(2, attempt));
      attempt += 1;
      feedTimer = setTimeout(connectFeed, wait);
    };
  }

  /* ---- start ------------------------------------------------------------------ */
  QUEUES.forEach(function (name) {
    var tab = document.createElement("button");
    tab.type = "button"; tab.setAttribute("role", "tab"); tab.setAttribute("data-queue", name);
    tab.setAttribute("aria-controls", "list");
    tab.addEventListener("click", function () { queue = name; renderList(); });
    els.tabs.appendChild(tab);
  });
  Object.keys(T.channels).forEach(function (code) {
    var option = document.createElement("option");
    option.value = code; option.textContent = T.channels[code];
    els.channel.appendChild(option);
  });
  els.channel.addEventListener("change", function () { channel = els.channel.value; renderList(); });
  els.list.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-id]");
    if (button) { openConversation(button.getAttribute("data-id")); }
  });
  renderList();
  if (!config.serves) { els.live.setAttribute("data-state", "offline"); els.liveText.textContent = T.notServing; return; }
  connectFeed();
  setInterval(renderList, 30000);  // waiting times move on
}());
