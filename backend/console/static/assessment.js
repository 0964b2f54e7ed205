/* The published assessment pages (backend/console/assessment_page.py): the tables are drawn by the
   server; this script only logs out and, for those who may publish, sends the publish form
   (POST /api/assessments) and reloads the list. Every sentence comes from the page's config. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("assessment-config").textContent);
  var texts = config.texts;

  document.getElementById("logout").addEventListener("click", function () {
    window.ConsoleApi.call("POST", config.logout, null, function () { window.location.assign(config.login); },
                           config.login);
  });

  var form = document.getElementById("publish");
  if (!form) { return; }
  var status = document.getElementById("publish-status");
  var error = document.getElementById("publish-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    var body = { month: form.elements.month.value };
    if (form.elements.reason.value.trim()) { body.reason = form.elements.reason.value.trim(); }
    error.hidden = true;
    button.disabled = true;
    status.textContent = texts.busy;
    window.ConsoleApi.call("POST", config.publish, body, function (code, data) {
      button.disabled = false;
      if (code === 201) {
        status.textContent = texts.published.replace("{month}", data.month).replace("{version}", data.version);
        window.location.assign(config.page + "/" + data.month);
        return;
      }
      status.textContent = "";
      error.textContent = window.ConsoleApi.errorText(code, data, texts.errors);
      error.hidden = false;
    }, config.login);
  });
}());
