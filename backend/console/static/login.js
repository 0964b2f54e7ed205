/* The console's login form (backend/console/pages.py): posts JSON to POST /api/auth/login
   and goes to the console; a refusal is shown in the server's own words, next to the form,
   with the focus back on the first field. Every sentence comes from the page's JSON block. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("login-config").textContent);
  var form = document.getElementById("login");
  var error = document.getElementById("error");
  var submit = document.getElementById("submit");
  var user = document.getElementById("username");
  var pass = document.getElementById("password");
  var label = submit.textContent;

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    submit.disabled = false;
    submit.textContent = label;
    (user.value ? pass : user).focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!user.value.trim() || !pass.value) { fail(config.errors.empty); return; }
    submit.disabled = true;
    submit.textContent = config.busy;
    var request = new XMLHttpRequest();
    request.open("POST", config.login);
    request.setRequestHeader("Content-Type", "application/json");
    request.onload = function () {
      if (request.status === 200) { window.location.assign(config.next); return; }
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
      pass.value = "";
      fail(data && data.error && data.error.message ? data.error.message : config.errors.failed);
    };
    request.onerror = function () { fail(config.errors.network); };
    request.send(JSON.stringify({ username: user.value.trim(), password: pass.value }));
  });
}());
