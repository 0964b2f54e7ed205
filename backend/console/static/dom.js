/* Small DOM helpers of the improvement-plan scripts (plans.js, plans-form.js, dashboard-plans.js):
   an element with attributes and text (never HTML: the CSP and the masked text both want textContent),
   and a {name} template filled from values (the sentences come from console/wording.py). */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }

  window.ConsoleDom = { el: el, fill: fill };
}());
