/* The console pages' one way to call the backend's JSON API (console.js, tickets.js,
   dashboard.js, reveal.js): JSON in and out with the session cookie, and a session that has
   ended (401) sends the page to the login instead of answering. `done(status, data)` gets
   status 0 when the network failed and data null when the answer was not JSON. */
(function () {
  "use strict";

  function call(method, path, body, done, loginPath) {
    var request = new XMLHttpRequest();
    request.open(method, path);
    if (body !== null && body !== undefined) { request.setRequestHeader("Content-Type", "application/json"); }
    request.onload = function () {
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
      if (request.status === 401) { window.location.assign(loginPath); return; }
      done(request.status, data);
    };
    request.onerror = function () { done(0, null); };
    request.send(body === null || body === undefined ? null : JSON.stringify(body));
  }

  /* What to tell the staff member about a failed call: the backend's own Chinese message, else
     the page's words for a network failure or an unexplained refusal. */
  function errorText(status, data, errors) {
    if (status === 0) { return errors.network; }
    return data && data.error && data.error.message ? data.error.message : errors.failed;
  }

  window.ConsoleApi = { call: call, errorText: errorText };
}());
