/* The web chat's transcript view (backend/web/static/chat/chat.js uses it): draws lines
   once per transcript id, in seq order; customer lines not yet answered wait at the end
   (pending, keyed by the page's message id) until the server names their line. Text is
   only ever set with textContent. One global, ChatLines, on the chat's own page. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  /* list: the <ol>; log: its scrolling container; T: the page's sentences;
     onQuickReply(payload, title): a quick-reply button was pressed (also a survey's answer);
     S: the survey's controls (surveys.page_config: texts, ratings, comment_max, payload). */
  function create(list, log, T, onQuickReply, S) {
    var drawn = {};        // transcript line id -> <li>
    var pendingEls = {};   // message id -> <li> of a customer line not yet answered
    var maxSeq = 0;

    function place(li, seq) {
      var kids = list.children;
      for (var i = 0; i < kids.length; i++) {
        var s = kids[i].getAttribute("data-seq");
        if (kids[i] !== li && (s === null || (seq !== null && Number(s) > seq))) { list.insertBefore(li, kids[i]); return; }
      }
      list.appendChild(li);
    }
    function name(li, line) {  // the <li> is transcript line `line`
      drawn[line.id] = li;
      li.setAttribute("data-line-id", line.id);
      li.setAttribute("data-seq", line.seq);
      maxSeq = Math.max(maxSeq, line.seq);
      place(li, line.seq);
    }
    function scrollDown() { log.scrollTop = log.scrollHeight; }
    function lineElement(sender, text) {
      var li = el("li", "line " + sender);
      li.appendChild(el("p", "who" + (sender === "customer" || sender === "system" ? " visually-hidden" : ""),
                        T.senders[sender] || ""));
      if (text) { li.appendChild(el("div", "bubble", text)); }
      return li;
    }
    function drawTicket(li, card) {
      var box = el("section", "ticket");
      box.setAttribute("aria-label", T.ticketTitle + " " + card.id);
      box.appendChild(el("h3", null, T.ticketTitle + "（" + card.type_name + "）"));
      var dl = el("dl");
      function row(k, v) { dl.appendChild(el("dt", null, k)); dl.appendChild(el("dd", null, v)); }
      row(T.ticketId, card.id);
      row(T.ticketStatus, card.status_name);
      (card.deadlines || []).forEach(function (d) { row(d.label, d.text); });
      box.appendChild(dl);
      box.appendChild(el("p", null, T.ticketKeep));
      li.appendChild(box);
    }
    function drawQuick(li, buttons) {
      var group = el("div", "quick");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", T.quickReplies);
      buttons.forEach(function (b) {
        var button = el("button", null, b.title);
        button.type = "button";
        button.addEventListener("click", function () {
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          onQuickReply(b.payload, b.title);
        });
        group.appendChild(button);
      });
      li.appendChild(group);
    }
    function drawOptions(li, titles) {  // a restored buttons-only line: the choices, no longer live
      var group = el("div", "quick");
      group.setAttribute("aria-label", T.quickReplies);
      titles.forEach(function (t) { group.appendChild(el("span", null, t)); });
      li.appendChild(group);
    }
    /* The satisfaction survey under the newest line that carries it (one per survey id):
       rate → the three ratings as buttons; comment → the rating given, an optional comment
       box with 提交 and 跳过; done → the rating given; over → nothing. */
    function surveyLine(id, action, value) { return S.payload + " " + id + " " + action + (value ? " " + value : ""); }
    function drawSurvey(li, survey) {
      Array.prototype.forEach.call(list.querySelectorAll(".survey[data-survey-id='" + Number(survey.id) + "']"),
        function (old) { old.parentNode.removeChild(old); });
      if (!S || survey.state === "over") { return; }
      var box = el("section", "survey");
      box.setAttribute("data-survey-id", survey.id);
      box.setAttribute("data-state", survey.state);
      box.setAttribute("aria-label", S.texts.rateLabel);
      if (survey.state === "rate") {
        var group = el("div", "quick ratings");
        group.setAttribute("role", "group");
        group.setAttribute("aria-label", S.texts.rateLabel);
        S.ratings.forEach(function (r) {
          var b = el("button", null, r.name);
          b.type = "button";
          b.setAttribute("data-rating", r.code);
          b.addEventListener("click", function () {
            Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
            onQuickReply(surveyLine(survey.id, "rate", r.code), r.name);
          });
          group.appendChild(b);
        });
        box.appendChild(group);
      } else {
        box.appendChild(el("p", "rated", S.texts.done.replace("{rating}", survey.rating_name || "")));
      }
      if (survey.state === "comment") {
        var form = el("form", "comment"), id = "survey-comment-" + survey.id;
        form.noValidate = true;
        var label = el("label", null, S.texts.commentLabel);
        label.setAttribute("for", id);
        var area = el("textarea");
        area.id = id; area.rows = 2; area.maxLength = S.comment_max; area.placeholder = S.texts.commentPlaceholder;
        var problem = el("p", "problem");
        problem.setAttribute("role", "alert");
        var send = el("button", "send", S.texts.commentSend), skip = el("button", "skip", S.texts.commentSkip);
        send.type = "submit"; skip.type = "button";
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          var text = area.value.trim();
          if (!text) { area.focus(); return; }
          if (text.length > S.comment_max) { problem.textContent = S.texts.commentTooLong.replace("{limit}", S.comment_max); return; }
          send.disabled = skip.disabled = area.disabled = true;
          onQuickReply(surveyLine(survey.id, "comment", text), text.slice(0, 100));
        });
        skip.addEventListener("click", function () {
          send.disabled = skip.disabled = area.disabled = true;
          onQuickReply(surveyLine(survey.id, "skip"), S.texts.commentSkip);
        });
        [label, area, problem, send, skip].forEach(function (x) { form.appendChild(x); });
        box.appendChild(form);
      }
      li.appendChild(box);
    }
    function adopt(line) {  // a resent message's own line, caught up before its answer: the pending bubble is it
      for (var id in pendingEls) {
        var li = pendingEls[id];
        if (!li.hasAttribute("data-line-id") && li.getAttribute("data-text") === line.text) { name(li, line); return true; }
      }
      return false;
    }
    function addLine(line) {
      var known = line.id !== null && line.id !== undefined;
      if (known && drawn[line.id]) { return; }
      if (known && line.sender === "customer" && adopt(line)) { return; }
      var li = lineElement(line.sender, line.text);
      if (line.buttons && line.buttons.length) { drawQuick(li, line.buttons); }
      if (line.options && line.options.length) { drawOptions(li, line.options); }
      if (line.ticket) { drawTicket(li, line.ticket); }
      if (line.survey) { drawSurvey(li, line.survey); }
      if (known) { name(li, line); } else { place(li, null); }
    }
    function note(li, text, failed) {
      var n = li.querySelector(".note");
      if (!n) { n = el("p", "note"); li.appendChild(n); }
      n.textContent = text;
      li.classList.toggle("failed", !!failed);
    }
    return {
      add: function (lines) { (lines || []).forEach(addLine); scrollDown(); },
      maxSeq: function () { return maxSeq; },
      pending: function (m, text) {  // draw an unanswered message of the outbox
        var li = lineElement("customer", m.title || m.text);
        li.setAttribute("data-message-id", m.id);
        li.setAttribute("data-text", m.title || m.text);
        note(li, text);
        pendingEls[m.id] = li;
        place(li, null);
        scrollDown();
      },
      note: function (id, text, failed) { if (pendingEls[id]) { note(pendingEls[id], text, failed); } },
      answered: function (id, line) {  // message `id` is transcript line `line`
        var li = pendingEls[id];
        delete pendingEls[id];
        if (!li) { addLine(line); return; }
        var n = li.querySelector(".note");
        if (n) { li.removeChild(n); }
        if (line.id === null || line.id === undefined) { return; }
        if (drawn[line.id] && drawn[line.id] !== li) { li.parentNode.removeChild(li); } else { name(li, line); }
      },
      failed: function (id, text) {
        var li = pendingEls[id];
        delete pendingEls[id];
        if (li) { note(li, text, true); }
      },
      clear: function () { list.textContent = ""; drawn = {}; pendingEls = {}; maxSeq = 0; }
    };
  }
  window.ChatLines = { create: create };
}());
