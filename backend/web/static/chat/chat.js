/* The web chat page (backend/web/chat.py). No framework; every sentence comes from the
   server (the JSON block #chat-config, from chat_wording.py).

   The browser keeps only: the opaque token, the outbox of messages not yet answered
   (each with its own id, resent once per connection until answered; the server acts
   on an id once), and whether the privacy notice was read. Lines are drawn once per
   transcript id, in seq order, so history, live lines and resent answers never repeat. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var T = config.texts;
  var PREFIX = "95598.chat.";
  var memory = {};
  var store = {
    get: function (k) { try { return window.localStorage.getItem(PREFIX + k); } catch (e) { return memory[k] || null; } },
    set: function (k, v) { try { window.localStorage.setItem(PREFIX + k, v); } catch (e) { memory[k] = v; } }
  };
  var $ = function (id) { return document.getElementById(id); };
  var els = { lines: $("lines"), log: $("log"), status: $("status"), statusText: $("status-text"), typing: $("typing"),
              error: $("error"), form: $("composer"), input: $("input"), counter: $("counter"),
              privacy: $("privacy"), privacyOk: $("privacy-ok") };
  var token = store.get("token");
  var outbox = readOutbox();
  var view = window.ChatLines.create(els.lines, els.log, T, function (payload, title) {
    send(payload, title);
    if (payload.indexOf(config.survey.payload + " ") !== 0) { els.input.focus(); }
  }, config.survey);
  var ws = null, connected = false, attempt = 0, timer = null, connection = 0;
  var lastStatus = null;
  var started = false;

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16); window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  function readOutbox() {
    try {
      var list = JSON.parse(store.get("outbox") || "[]");
      return (Array.isArray(list) ? list : []).filter(function (m) {
        return m && typeof m.id === "string" && typeof m.text === "string";
      });
    } catch (e) { return []; }
  }
  function saveOutbox() { store.set("outbox", JSON.stringify(outbox.map(function (m) {
    return { id: m.id, text: m.text, title: m.title };
  }))); }

  /* ---- status ----------------------------------------------------------------- */
  function showStatus(status) {
    lastStatus = status || lastStatus;
    if (!connected || !lastStatus) { return; }
    var s = lastStatus, text;
    if (s.state === "waiting_agent") { text = s.ahead ? fill(T.status.waiting_agent, { ahead: s.ahead }) : T.status.waiting_next; }
    else { text = T.status[s.state] || T.status.bot; }
    els.status.setAttribute("data-state", s.state);
    els.statusText.textContent = text;
  }
  function showConnection(state, text) {
    els.status.setAttribute("data-state", state);
    els.statusText.textContent = text;
  }
  function showError(message) {
    els.error.textContent = message || "";
    els.error.hidden = !message;
  }
  function updateTyping() {
    els.typing.hidden = outbox.length === 0 || !connected;  // offline: the notes say "not sent" instead
    if (outbox.length) { els.log.scrollTop = els.log.scrollHeight; }
  }

  /* ---- sending ---------------------------------------------------------------- */
  function transmit(m) {
    if (!connected || m.sentOn === connection) { return; }
    m.sentOn = connection;  // once per connection; the next connection resends what is unanswered
    var frame = { type: "message", id: m.id, text: m.text };
    if (m.title) { frame.title = m.title; }
    ws.send(JSON.stringify(frame));
  }
  function send(text, title) {
    var m = { id: newId(), text: text, title: title || null };
    outbox.push(m);
    saveOutbox();
    view.pending(m, connected ? T.sending : T.notSent);
    updateTyping();
    transmit(m);
  }
  function settle(id) {
    outbox = outbox.filter(function (m) { return m.id !== id; });
    saveOutbox();
    updateTyping();
  }

  /* ---- the socket ------------------------------------------------------------- */
  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + config.socket;
  }
  function connect() {
    clearTimeout(timer);
    timer = null;
    if (ws && (ws.readyState === 0 || ws.readyState === 1)) { return; }
    showConnection("connecting", T.connecting);
    var socket;
    try { socket = new WebSocket(socketUrl()); } catch (e) { retry(); return; }
    ws = socket;  // handlers of an older socket still closing must not touch the new one's state
    socket.onopen = function () { socket.send(JSON.stringify({ type: "hello", token: token, after: view.maxSeq() })); };
    socket.onmessage = function (event) {
      var frame;
      if (socket !== ws) { return; }
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function () {
      if (socket !== ws) { return; }
      var was = connected;
      connected = false;
      ws = null;
      outbox.forEach(function (m) { view.note(m.id, T.notSent); });
      updateTyping();
      if (was) { attempt = 0; }
      retry();
    };
  }
  function retry() {
    if (timer) { return; }
    var base = Math.min(config.reconnect.maxMs, config.reconnect.initialMs * Math.pow(2, attempt));
    var wait = Math.round(base * (0.5 + Math.random() / 2));
    attempt += 1;
    showConnection("offline", T.offline);
    timer = setTimeout(connect, wait);
  }
  function handle(frame) {
    switch (frame.type) {
      case "session":  // the server did not know our token: a new conversation
        token = frame.token;
        store.set("token", token);
        if (frame.replaced) { clearLines(); showError(T.newSession); }
        break;
      case "ready":
        connected = true;
        attempt = 0;
        connection += 1;
        showStatus(frame.status);
        outbox.forEach(function (m) { view.note(m.id, T.sending); transmit(m); });
        updateTyping();
        break;
      case "lines":
        view.add(frame.lines);
        break;
      case "answer":
        answered(frame);
        break;
      case "status":
        showStatus(frame.status);
        break;
      case "error":
        refused(frame);
        break;
    }
  }
  function answered(frame) {
    settle(frame.id);
    view.answered(frame.id, frame.line || {});
    view.add(frame.lines);
    showStatus(frame.status);
    showError("");
  }
  function refused(frame) {
    showError(frame.message);
    if (!frame.id) { return; }
    if (frame.code === "in_progress") {  // an earlier connection's turn still runs: ask again shortly
      outbox.forEach(function (m) { if (m.id === frame.id) { m.sentOn = null; setTimeout(function () { transmit(m); }, 3000); } });
      return;
    }
    settle(frame.id);
    view.failed(frame.id, T.failed);
  }
  function clearLines() { view.clear(); outbox.forEach(function (m) { view.pending(m, T.sending); }); }

  /* ---- start: restore or open the session, then connect ------------------------- */
  function start() {
    var request = new XMLHttpRequest();
    request.open("POST", config.session);
    request.setRequestHeader("Content-Type", "application/json");
    request.onload = function () {
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
      if (request.status !== 200 || !data || !data.token) {
        showError(data && data.error ? data.error.message : T.errors.network);
        retryStart();
        return;
      }
      token = data.token;
      store.set("token", token);
      started = true;
      if (data.replaced) { showError(T.newSession); }
      view.add(data.lines);
      outbox.forEach(function (m) { view.pending(m, T.notSent); });
      updateTyping();
      lastStatus = data.status;
      connect();
    };
    request.onerror = function () { showError(T.errors.network); retryStart(); };
    request.send(JSON.stringify(token ? { token: token } : {}));
  }
  function retryStart() {
    var wait = Math.min(config.reconnect.maxMs, config.reconnect.initialMs * Math.pow(2, attempt));
    attempt += 1;
    setTimeout(start, wait);
  }

  /* ---- the composer and the notice -------------------------------------------- */
  function counter() {
    var left = config.maxChars - els.input.value.length;
    els.counter.textContent = left <= 50 ? fill(T.counter, { left: left }) : "";
    els.input.style.height = "auto";
    els.input.style.height = Math.min(els.input.scrollHeight + 4, 128) + "px";
  }
  els.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = els.input.value.trim();
    if (!text) { showError(T.errors.empty); els.input.focus(); return; }
    if (text.length > config.maxChars) { showError(fill(T.errors.too_long, { limit: config.maxChars })); return; }
    showError("");
    els.input.value = "";
    counter();
    send(text, null);
    els.input.focus();
  });
  els.input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      els.form.requestSubmit ? els.form.requestSubmit() : els.form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  els.input.addEventListener("input", counter);
  if (!store.get("privacy")) { els.privacy.hidden = false; }
  els.privacyOk.addEventListener("click", function () {
    store.set("privacy", "1");
    els.privacy.hidden = true;
    els.input.focus();
  });
  document.addEventListener("keydown", function (event) {  // Esc closes the widget's panel around us
    if (event.key === "Escape" && config.embedded && window.parent !== window) {
      window.parent.postMessage({ type: "95598-chat-close" }, "*");
    }
  });
  function wake() {  // back online or shown again: reconnect now instead of at the end of the backoff
    if (started && !connected && !(ws && ws.readyState <= 1)) { attempt = 0; ws = null; connect(); }
  }
  window.addEventListener("online", wake);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { wake(); } });
  start();
}());
