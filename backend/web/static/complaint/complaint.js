/* The complaint form without a page load: the same POST as JSON, errors next to
   their fields with the focus on the first, the receipt in place. Every sentence
   comes from the page (data-msg-*) or the server; none is written here. Without
   this script the form posts normally and the server renders the same things. */
(function () {
  "use strict";
  var form = document.getElementById("complaint-form");
  if (!form || !window.fetch || !window.JSON) { return; }
  var button = document.getElementById("submit");
  var status = document.getElementById("form-status");
  var summary = document.getElementById("error-summary");
  var busy = false;

  function controls() { return form.querySelectorAll("[data-field]"); }
  function value(name) { return form.elements[name].value.trim(); }
  function orNull(text) { return text === "" ? null : text; }

  function body() {
    return {
      description: value("description"),
      customer: { name: orNull(value("name")), phone: orNull(value("phone")),
                  account_no: orNull(value("account_no")) },
      address: orNull(value("address")),
      occurred_at: orNull(value("occurred_at")),
      desired_outcome: orNull(value("desired_outcome")),
      anonymous: form.elements.anonymous.checked,
      confidential: form.elements.confidential.checked
    };
  }

  function clearErrors() {
    Array.prototype.forEach.call(controls(), function (control) {
      control.removeAttribute("aria-invalid");
      var error = document.getElementById(control.id + "-error");
      if (error) { error.textContent = ""; error.hidden = true; }
    });
    summary.hidden = true;
    summary.querySelector("ul").textContent = "";
  }

  function showErrors(details, message) {
    clearErrors();
    var list = summary.querySelector("ul");
    var first = null;
    details.forEach(function (detail) {
      var control = form.querySelector('[data-field="' + detail.field + '"]');
      var item = document.createElement("li");
      if (control) {
        var error = document.getElementById(control.id + "-error");
        error.textContent = detail.message;
        error.hidden = false;
        control.setAttribute("aria-invalid", "true");
        var link = document.createElement("a");
        link.href = "#" + control.id;
        link.textContent = detail.message;
        item.appendChild(link);
      } else {
        item.textContent = detail.message;
      }
      list.appendChild(item);
    });
    if (!details.length) {
      var only = document.createElement("li");
      only.textContent = message;
      list.appendChild(only);
    }
    summary.hidden = false;
    status.textContent = "";
    Array.prototype.some.call(controls(), function (control) {
      if (control.getAttribute("aria-invalid") === "true") { first = control; }
      return first !== null;
    });
    (first || summary).focus();
  }

  function localTime(iso) {
    if (!iso) { return ""; }
    return new Intl.DateTimeFormat("zh-CN", {
      timeZone: form.dataset.timezone, year: "numeric", month: "long", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).format(new Date(iso));
  }

  function showResult(ticket) {
    document.getElementById("result-id").textContent = ticket.id;
    document.getElementById("result-first-contact").textContent = localTime(ticket.deadlines.first_contact);
    document.getElementById("result-reply").textContent = localTime(ticket.deadlines.reply);
    document.getElementById("result-anonymous").hidden = !form.elements.anonymous.checked;
    var survey = document.getElementById("result-survey");  // the satisfaction survey's link, once closed
    if (ticket.survey_url) {
      document.getElementById("result-survey-link").setAttribute("href", ticket.survey_url);
      survey.hidden = false;
    }
    document.getElementById("form-area").hidden = true;
    document.getElementById("result").hidden = false;
    document.getElementById("result-title").focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    button.disabled = true;
    status.textContent = form.dataset.msgSending;
    fetch(form.action, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "Idempotency-Key": form.elements.token.value },
      body: JSON.stringify(body())
    }).then(function (response) {
      return response.json().then(function (data) {
        return { status: response.status, data: data };
      }, function () { return { status: response.status, data: null }; });
    }).then(function (reply) {
      if (reply.status === 201) { showResult(reply.data); return; }
      var error = reply.data && reply.data.error;
      showErrors((error && error.details) || [], error ? error.message : form.dataset.msgFailed);
    }, function () {
      showErrors([], form.dataset.msgNetwork);
    }).then(function () {
      busy = false;
      button.disabled = false;
    });
  });

  // Anonymous: the phone is no longer required; say so to assistive technology too.
  var anonymous = form.elements.anonymous;
  var phone = form.elements.phone;
  function syncPhone() { phone.setAttribute("aria-required", anonymous.checked ? "false" : "true"); }
  anonymous.addEventListener("change", syncPhone);
  syncPhone();
}());
