/* 查看完整信息 in a customer panel (the ticket desk and the conversation view; issues #8, #9).

   Everything the console shows of a customer is masked. This button asks for a reason and posts
   it to POST /api/tickets/{id}/reveal or /api/conversations/{id}/reveal, which writes the audit
   entry before answering. The answer is drawn into this box only, for this page view: it is kept
   in no variable beyond the DOM, in no storage, and is cleared when another record is opened
   (the response itself is Cache-Control: no-store). Every sentence comes from the page's texts
   (console/wording.py REVEAL); everything is textContent. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function create(box, R, loginPath) {
    var path = null, busy = false;

    function post(reason, done) {
      window.ConsoleApi.call("POST", path, { reason: reason }, done, loginPath);
    }
    function fields(dl, item) {
      var c = item.customer || {};
      [[R.name, c.name], [R.phone, c.phone], [R.accountNo, c.account_no], [R.address, item.address],
       [R.description, item.description]].forEach(function (p) {
        dl.appendChild(el("dt", null, p[0]));
        var dd = el("dd", null, p[1] === null || p[1] === undefined || p[1] === "" ? "—" : p[1]);
        if (p[0] === R.phone) { dd.setAttribute("data-field", "phone"); }
        dl.appendChild(dd);
      });
    }
    function shown(data) {
      box.textContent = "";
      var section = el("div", "revealed");
      section.setAttribute("data-revealed", "true");
      section.appendChild(el("h3", null, R.title));
      (data.tickets || [data]).forEach(function (item) {
        if (data.tickets) { section.appendChild(el("h4", null, R.ticket + " #" + item.id)); }
        var dl = el("dl"); fields(dl, item); section.appendChild(dl);
      });
      var note = el("p", "hint recorded", R.recorded);
      note.setAttribute("role", "status");
      section.appendChild(note);
      box.appendChild(section);
    }
    function button() {
      box.textContent = "";
      if (!path) { return; }
      var b = el("button", "reveal-open", R.button); b.type = "button";
      b.addEventListener("click", form);
      box.appendChild(b);
    }
    function form() {
      box.textContent = "";
      var f = el("form", "reveal-form"); f.noValidate = true;
      f.setAttribute("aria-label", R.button);
      var label = el("label", null, R.reason); label.setAttribute("for", "reveal-reason");
      var input = el("textarea"); input.id = "reveal-reason"; input.name = "reason"; input.rows = 2;
      input.maxLength = 200; input.required = true; input.setAttribute("aria-required", "true");
      var error = el("p", "error"); error.setAttribute("role", "alert"); error.hidden = true;
      var go = el("button", "go", R.submit); go.type = "submit";
      var cancel = el("button", "cancel", R.cancel); cancel.type = "button";
      cancel.addEventListener("click", button);
      f.appendChild(label); f.appendChild(input); f.appendChild(error); f.appendChild(go); f.appendChild(cancel);
      f.addEventListener("submit", function (event) {
        event.preventDefault();
        var reason = input.value.trim(), asked = path;
        if (reason.length < 4) { error.textContent = R.reasonShort; error.hidden = false; input.focus(); return; }
        if (busy) { return; }
        busy = true; go.disabled = true;
        post(reason, function (status, data) {
          busy = false; go.disabled = false;
          if (asked !== path) { return; }  // another record was opened meanwhile: show nothing
          if (status === 200 && data) { shown(data); return; }
          error.textContent = status === 0 ? R.network
            : (data && data.error && data.error.message ? data.error.message : R.failed);
          error.hidden = false;
        });
      });
      box.appendChild(f);
      input.focus();
    }
    /* The record the box reveals (its reveal URL), or null: what was shown before is dropped. */
    function target(url) {
      if (url === path) { return; }
      path = url;
      button();
    }
    return { target: target };
  }

  window.Reveal = { create: create };
}());
